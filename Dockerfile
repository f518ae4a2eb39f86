# syntax=docker/dockerfile:1
#
# Sluice image: Boot's layered jar on a JRE 25, run as a non-root user.
#   docker build -t sluice:local .
# Layers are copied least-changing first, so a code change rebuilds only the last (small) layer.

# ---- build: compile and package the fat jar (tests run in CI, not here) ----
FROM eclipse-temurin:25-jdk AS build
WORKDIR /src
COPY mvnw pom.xml ./
COPY .mvn .mvn
RUN --mount=type=cache,target=/root/.m2 ./mvnw -B -ntp -q dependency:go-offline
COPY src src
COPY db db
RUN --mount=type=cache,target=/root/.m2 ./mvnw -B -ntp package -DskipTests \
 && cp target/sluice-*.jar /src/app.jar

# ---- extract: split the jar into Boot's layers with the launcher ----
FROM eclipse-temurin:25-jre AS extract
WORKDIR /extract
COPY --from=build /src/app.jar app.jar
RUN java -Djarmode=tools -jar app.jar extract --layers --launcher --destination layers

# ---- runtime ----
FROM eclipse-temurin:25-jre
# curl (the temurin images ship without it): the Kubernetes preStop hook and the compose health
# check call the management port.
RUN apt-get update \
 && apt-get install -y --no-install-recommends curl \
 && rm -rf /var/lib/apt/lists/* \
 && groupadd --system --gid 10001 sluice \
 && useradd --system --uid 10001 --gid sluice --home-dir /app --shell /usr/sbin/nologin sluice
WORKDIR /app
COPY --from=extract /extract/layers/dependencies/ ./
COPY --from=extract /extract/layers/spring-boot-loader/ ./
COPY --from=extract /extract/layers/snapshot-dependencies/ ./
COPY --from=extract /extract/layers/application/ ./
USER 10001:10001
EXPOSE 8081
# Heap from the container's memory limit, leaving ~25% for metaspace, thread stacks, direct
# buffers (Kafka fetches) and the JIT. Exit on OOM so the orchestrator restarts a clean JVM.
# Extra flags: JDK_JAVA_OPTIONS (the Helm chart's jvm.extraOptions sets it).
ENTRYPOINT ["java", \
  "-XX:MaxRAMPercentage=75.0", \
  "-XX:InitialRAMPercentage=50.0", \
  "-XX:+ExitOnOutOfMemoryError", \
  "-Djava.io.tmpdir=/tmp", \
  "org.springframework.boot.loader.launch.JarLauncher"]
