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
# The JVM, chosen rather than left to its ergonomics (docs/DEPLOY.md "The image's JVM"):
# - G1, named: below 2 processors or ~1.8 GB the JVM would pick Serial, whose full collections
#   stop every stage at once; G1 keeps pauses short at this heap size with little overhead.
# - Heap from the container's memory limit, leaving ~25% for metaspace, thread stacks, direct
#   buffers (Kafka fetches) and the JIT.
# - Exit at the first OutOfMemoryError the JVM raises (heap, metaspace; exit status 3): it can
#   strike any thread (a Kafka client's, the pool's), so the process ends like a kill and the
#   orchestrator restarts a clean JVM; the durable work is skipped on redelivery, nothing is lost.
# No processor count here: the chart passes -XX:ActiveProcessorCount in JDK_JAVA_OPTIONS (from
# the pod's CPU request), which the launcher reads before these flags, so a flag set here would
# override it. Extra flags: JDK_JAVA_OPTIONS (the Helm chart's jvm.extraOptions).
ENTRYPOINT ["java", \
  "-XX:+UseG1GC", \
  "-XX:MaxRAMPercentage=75.0", \
  "-XX:InitialRAMPercentage=50.0", \
  "-XX:+ExitOnOutOfMemoryError", \
  "-Djava.io.tmpdir=/tmp", \
  "org.springframework.boot.loader.launch.JarLauncher"]
