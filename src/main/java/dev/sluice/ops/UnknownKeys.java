package dev.sluice.ops;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;
import org.springframework.beans.factory.config.BeanFactoryPostProcessor;
import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.source.ConfigurationPropertyName;
import org.springframework.boot.context.properties.source.ConfigurationPropertyName.Form;
import org.springframework.boot.context.properties.source.ConfigurationPropertySources;
import org.springframework.context.EnvironmentAware;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.EnumerablePropertySource;
import org.springframework.core.env.Environment;
import org.springframework.core.env.PropertySource;
import org.springframework.core.env.SystemEnvironmentPropertySource;
import org.springframework.stereotype.Component;

/**
 * Fails start-up on a {@code sluice.*} key that binds to nothing, naming it, where it came from and
 * the nearest known key: a misspelt {@code --sluice.flow.max-inflight=5} would otherwise start the
 * service on the default. Checks every enumerable property source (command line, system
 * properties, application.yml, profiles, tests' properties); in the environment it checks the
 * variables that start with {@code SLUICE_}, compared the way Boot binds them
 * ({@code SLUICE_FLOW_MAX_IN_FLIGHT} = {@code sluice.flow.max-in-flight}). The variables
 * Kubernetes injects for a Service named {@code sluice*} ({@code SLUICE_SERVICE_HOST},
 * {@code SLUICE_PORT_8081_TCP_ADDR}, …) are not keys and are let through.
 *
 * <p>The known keys are those of the {@code @ConfigurationProperties} beans defined in this context
 * whose prefix starts with {@code sluice} ({@link KnownKeys}); a job that adds a properties record
 * adds its keys. Runs as a bean factory post-processor: after every bean definition is registered
 * and the environment is complete, before any bean (and so any connection) is created.
 */
@Component
class UnknownKeys implements BeanFactoryPostProcessor, EnvironmentAware {

    static final String ROOT = "sluice";

    /** {@code <SERVICE>_SERVICE_HOST}, {@code _SERVICE_PORT[_<NAME>]}, {@code _PORT[_<n>_<PROTO>[_PROTO|_PORT|_ADDR]]}. */
    private static final Pattern SERVICE_LINK = Pattern.compile(
            "[A-Z0-9_]+_(SERVICE_HOST|SERVICE_PORT(_[A-Z0-9_]+)?|PORT(_[0-9]+_(TCP|UDP|SCTP)(_PROTO|_PORT|_ADDR)?)?)");

    /** Set once by the container before {@link #postProcessBeanFactory}; read only there. */
    private ConfigurableEnvironment environment;

    @Override
    public void setEnvironment(Environment environment) {
        this.environment = (ConfigurableEnvironment) environment;
    }

    @Override
    public void postProcessBeanFactory(ConfigurableListableBeanFactory beanFactory) {
        KnownKeys known = KnownKeys.of(sluiceProperties(beanFactory));
        List<String> problems = problems(known, environment);
        if (!problems.isEmpty()) {
            throw new UnknownKeysException(problems);
        }
    }

    /** Start-up refused: one sentence per unknown key (reported by {@link UnknownKeysFailureAnalyzer}). */
    static final class UnknownKeysException extends IllegalStateException {

        private final List<String> problems;

        UnknownKeysException(List<String> problems) {
            super("Unknown configuration keys: Sluice binds nothing to " + String.join("; ", problems));
            this.problems = List.copyOf(problems);
        }

        List<String> problems() {
            return problems;
        }
    }

    /** The {@code @ConfigurationProperties} types under {@code sluice}, by prefix, read from bean definitions only. */
    static Map<String, Class<?>> sluiceProperties(ConfigurableListableBeanFactory beanFactory) {
        Map<String, Class<?>> types = new TreeMap<>();
        for (String bean : beanFactory.getBeanNamesForAnnotation(ConfigurationProperties.class)) {
            ConfigurationProperties annotation = beanFactory.findAnnotationOnBean(bean, ConfigurationProperties.class, false);
            Class<?> type = beanFactory.getType(bean, false);
            String prefix = annotation == null ? "" : annotation.prefix().isEmpty() ? annotation.value() : annotation.prefix();
            if (type != null && underRoot(ConfigurationPropertyName.of(prefix))) {
                types.put(prefix, type);
            }
        }
        return types;
    }

    /** One sentence per unknown key: the key, its property source and the nearest known key; sorted. */
    static List<String> problems(KnownKeys known, ConfigurableEnvironment environment) {
        Map<String, PropertySource<?>> unknown = new TreeMap<>();
        for (PropertySource<?> source : environment.getPropertySources()) {
            if (ConfigurationPropertySources.isAttachedConfigurationPropertySource(source)
                    || !(source instanceof EnumerablePropertySource<?> enumerable)) {
                continue;
            }
            boolean variables = source instanceof SystemEnvironmentPropertySource;
            for (String key : enumerable.getPropertyNames()) {
                if (variables ? unknownVariable(known, key) : unknownKey(known, key)) {
                    unknown.putIfAbsent(key, source);
                }
            }
        }
        List<String> problems = new ArrayList<>();
        unknown.forEach((key, source) -> problems.add(describe(known, key, source)));
        return problems;
    }

    private static boolean unknownKey(KnownKeys known, String key) {
        ConfigurationPropertyName name = ConfigurationPropertyName.adapt(key, '.');
        return underRoot(name) && name.getNumberOfElements() > 0 && !known.knows(name);
    }

    private static boolean unknownVariable(KnownKeys known, String variable) {
        return variable.toUpperCase(Locale.ROOT).startsWith(ROOT.toUpperCase(Locale.ROOT) + "_")
                && !known.knowsEnvironmentVariable(variable)
                && !SERVICE_LINK.matcher(variable).matches();
    }

    private static boolean underRoot(ConfigurationPropertyName name) {
        return !name.isEmpty() && name.getElement(0, Form.UNIFORM).equals(ROOT);
    }

    private static String describe(KnownKeys known, String key, PropertySource<?> source) {
        boolean variable = source instanceof SystemEnvironmentPropertySource;
        String nearest = known.nearest(key, variable);
        String suggestion = variable ? KnownKeys.environmentVariable(nearest) + " (" + nearest + ")" : nearest;
        return key + " (from " + source.getName() + "): did you mean " + suggestion + "?";
    }
}
