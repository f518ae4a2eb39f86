package dev.sluice.testinfra;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.Map;
import java.util.stream.Collectors;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.bind.validation.BindValidationException;
import org.springframework.boot.context.properties.bind.validation.ValidationBindHandler;
import org.springframework.boot.context.properties.source.ConfigurationPropertySources;
import org.springframework.boot.origin.Origin;
import org.springframework.core.env.MapPropertySource;
import org.springframework.core.env.MutablePropertySources;
import org.springframework.validation.beanvalidation.LocalValidatorFactoryBean;

/** Binds a {@code sluice.*} properties record as the application does, and reads what start-up would report. */
public final class PropertiesBinding {

    private PropertiesBinding() {
    }

    /** Binds {@code prefix} from {@code values} (a property source whose origins name each key), validated by Hibernate Validator. */
    public static <T> T bind(String prefix, Class<T> type, Map<String, String> values) {
        MutablePropertySources sources = new MutablePropertySources();
        sources.addFirst(new MapPropertySource("test", Map.copyOf(values)));
        try (LocalValidatorFactoryBean validator = new LocalValidatorFactoryBean()) {
            validator.afterPropertiesSet();
            return new Binder(ConfigurationPropertySources.from(sources))
                    .bindOrCreate(prefix, Bindable.of(type), new ValidationBindHandler(validator));
        }
    }

    /**
     * What Boot's start-up report names: for a constraint violation the origin of each rejected
     * value (the key as it was set) and the reason, as {@code BindValidationFailureAnalyzer}
     * prints them; for any other failure (a value that does not convert, a check in a record's
     * constructor) the failure's messages.
     */
    public static String reported(Throwable failure) {
        for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
            if (cause instanceof BindValidationException validation) {
                return validation.getValidationErrors().getAllErrors().stream()
                        .map(error -> Origin.from(error) + ": " + error.getDefaultMessage())
                        .collect(Collectors.joining("\n"));
            }
        }
        StringWriter trace = new StringWriter();
        failure.printStackTrace(new PrintWriter(trace));
        return trace.toString();
    }
}
