package dev.sluice.ops;

import java.lang.reflect.RecordComponent;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.springframework.boot.context.properties.bind.Name;
import org.springframework.boot.context.properties.source.ConfigurationPropertyName;
import org.springframework.boot.context.properties.source.ConfigurationPropertyName.Form;
import org.springframework.core.ResolvableType;
import org.springframework.util.unit.DataSize;

/**
 * The configuration keys a set of {@code @ConfigurationProperties} records bind, as a tree walked
 * from each record's prefix through its components (recursively into nested records). Keys compare
 * as Boot's relaxed binding compares them: element by element, ignoring case, '-' and '_'
 * ({@code maxInFlight} = {@code max-in-flight} = {@code maxinflight}); an environment variable
 * compares in its one bound form ({@code SLUICE_FLOW_MAX_IN_FLIGHT}).
 *
 * <p>A {@code Map} whose values are records accepts any one key element below it and then what
 * the record accepts ({@code sluice.jobs.<name>.topic}, not {@code sluice.jobs.<name>.tpoic}); any
 * other {@code Map} accepts any key below it ({@code columns.<column>}); a {@code Collection} or
 * array accepts indexes ({@code [0]}) and what its element type accepts below them; a type this walk does not understand (not a record, not a JDK or unit type) accepts any key
 * below it rather than refuse one that binds.
 *
 * <p>Immutable once built; safe to share between threads.
 */
final class KnownKeys {

    private enum Kind { GROUP, LEAF, LIST, MAP, ANY }

    /** A node of the key tree: children keyed by their uniform element (lower case, alphanumerics only). */
    private record Node(String key, Kind kind, Map<String, Node> children, Node element) {
    }

    private final Node root = new Node("", Kind.GROUP, new LinkedHashMap<>(), null);

    private KnownKeys() {
    }

    /** The keys bound by {@code type} under {@code prefix}, for each entry. */
    static KnownKeys of(Map<String, Class<?>> typesByPrefix) {
        KnownKeys keys = new KnownKeys();
        typesByPrefix.forEach(keys::add);
        return keys;
    }

    private void add(String prefix, Class<?> type) {
        ConfigurationPropertyName name = ConfigurationPropertyName.of(prefix);
        Node parent = root;
        for (int i = 0; i < name.getNumberOfElements() - 1; i++) {
            String key = join(parent.key(), name.getElement(i, Form.DASHED));
            parent = parent.children().computeIfAbsent(name.getElement(i, Form.UNIFORM),
                    element -> new Node(key, Kind.GROUP, new LinkedHashMap<>(), null));
        }
        String last = name.getLastElement(Form.UNIFORM);
        Node walked = walk(join(parent.key(), name.getLastElement(Form.DASHED)), ResolvableType.forClass(type));
        Node existing = parent.children().get(last);
        if (existing != null && existing.kind() == Kind.GROUP && walked.kind() == Kind.GROUP) {
            existing.children().putAll(walked.children());
        } else {
            parent.children().put(last, walked);
        }
    }

    private static Node walk(String key, ResolvableType type) {
        Class<?> raw = type.resolve(Object.class);
        if (Map.class.isAssignableFrom(raw)) {
            ResolvableType value = type.asMap().getGeneric(1);
            return value.resolve(Object.class).isRecord()
                    ? new Node(key, Kind.MAP, Map.of(), walk(key + ".*", value))
                    : new Node(key, Kind.ANY, Map.of(), null);
        }
        if (Collection.class.isAssignableFrom(raw) || raw.isArray()) {
            ResolvableType element = raw.isArray() ? type.getComponentType() : type.asCollection().getGeneric(0);
            return new Node(key, Kind.LIST, Map.of(), walk(key + "[*]", element));
        }
        if (raw.isRecord()) {
            Map<String, Node> children = new LinkedHashMap<>();
            for (RecordComponent component : raw.getRecordComponents()) {
                String element = Optional.ofNullable(component.getAnnotation(Name.class)).map(Name::value)
                        .orElse(component.getName());
                ConfigurationPropertyName child = ConfigurationPropertyName.adapt(element, '.');
                children.put(child.getElement(0, Form.UNIFORM),
                        walk(join(key, dashed(element)), ResolvableType.forType(component.getGenericType())));
            }
            return new Node(key, Kind.GROUP, children, null);
        }
        if (raw.isPrimitive() || raw.isEnum() || raw.getName().startsWith("java.") || raw == DataSize.class) {
            return new Node(key, Kind.LEAF, Map.of(), null);
        }
        return new Node(key, Kind.ANY, Map.of(), null);
    }

    /** Whether a dotted key ({@code sluice.flow.max-in-flight}, {@code sluice.flow.maxInFlight}) binds to something. */
    boolean knows(ConfigurationPropertyName name) {
        Node node = root;
        for (int i = 0; i < name.getNumberOfElements(); i++) {
            switch (node.kind()) {
                case ANY -> {
                    return true;
                }
                case LEAF -> {
                    return false;
                }
                case LIST -> {
                    if (!name.isNumericIndex(i)) {
                        return false;
                    }
                    node = node.element();
                }
                case MAP -> node = node.element();
                case GROUP -> {
                    node = node.children().get(name.getElement(i, Form.UNIFORM));
                    if (node == null) {
                        return false;
                    }
                }
            }
        }
        return node.kind() != Kind.GROUP;
    }

    /**
     * Whether an environment variable binds to something: Boot binds {@code SLUICE_FLOW_MAX_IN_FLIGHT}
     * (any case) to {@code sluice.flow.max-in-flight}, each '.' and '-' an '_', and not
     * {@code SLUICE_FLOW_MAXINFLIGHT}; below a map or a list any {@code _…} suffix.
     */
    boolean knowsEnvironmentVariable(String variable) {
        String name = variable.toUpperCase(Locale.ROOT);
        return entries().stream().anyMatch(entry -> {
            String known = environmentVariable(entry.key());
            return name.equals(known) || entry.open() && name.startsWith(known + "_");
        });
    }

    /**
     * The known key nearest to {@code key} by edit distance (a map's keys shown as {@code prefix.*});
     * an environment variable is compared with the keys' variable forms.
     */
    String nearest(String key, boolean variable) {
        String query = variable ? key.toUpperCase(Locale.ROOT) : key.toLowerCase(Locale.ROOT);
        List<Entry> candidates = new ArrayList<>();
        collect(root, candidates, true);
        return candidates.stream()
                .map(entry -> entry.kind() == Kind.ANY ? entry.key() + ".*" : entry.key())
                .map(known -> variable ? known : withMapKeys(known, key))
                .min(Comparator.comparingInt((String known) -> distance(query, variable ? environmentVariable(known) : known))
                        .thenComparing(Comparator.naturalOrder()))
                .orElse("(none)");
    }

    /** {@code sluice.jobs.*.topic} with the map key of {@code key} ({@code sluice.jobs.orders.tpoic}): {@code sluice.jobs.orders.topic}. */
    private static String withMapKeys(String known, String key) {
        String[] knownParts = known.split("\\.");
        String[] keyParts = key.split("\\.");
        for (int i = 0; i < knownParts.length - 1 && i < keyParts.length; i++) {
            if (knownParts[i].equals("*")) {
                knownParts[i] = keyParts[i];
            }
        }
        return String.join(".", knownParts);
    }

    /** {@code sluice.flow.max-in-flight} → {@code SLUICE_FLOW_MAX_IN_FLIGHT}. */
    static String environmentVariable(String key) {
        return key.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_');
    }

    /** Every key in dashed form, a map's or an open type's as its prefix; in declaration order. */
    List<String> keys() {
        return entries().stream().map(Entry::key).toList();
    }

    private record Entry(String key, Kind kind) {
        boolean open() {
            return kind == Kind.ANY || kind == Kind.LIST || kind == Kind.MAP;
        }
    }

    private List<Entry> entries() {
        List<Entry> entries = new ArrayList<>();
        collect(root, entries, false);
        return entries;
    }

    /** The keys below {@code node}; a map of records as its prefix, or ({@code intoMaps}) as its records' keys below {@code .*}. */
    private static void collect(Node node, List<Entry> entries, boolean intoMaps) {
        switch (node.kind()) {
            case GROUP -> node.children().values().forEach(child -> collect(child, entries, intoMaps));
            case MAP -> {
                if (intoMaps) {
                    collect(node.element(), entries, true);
                } else {
                    entries.add(new Entry(node.key(), node.kind()));
                }
            }
            case LEAF, ANY, LIST -> entries.add(new Entry(node.key(), node.kind()));
        }
    }

    private static String dashed(String element) {
        return ConfigurationPropertyName.adapt(element.replaceAll("([a-z0-9])([A-Z])", "$1-$2"), '.')
                .getElement(0, Form.DASHED);
    }

    private static String join(String prefix, String element) {
        return prefix.isEmpty() ? element : prefix + "." + element;
    }

    /** Levenshtein distance. */
    static int distance(String a, String b) {
        int[] previous = new int[b.length() + 1];
        int[] current = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            previous[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            current[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int substitute = previous[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
                current[j] = Math.min(substitute, Math.min(previous[j], current[j - 1]) + 1);
            }
            int[] swap = previous;
            previous = current;
            current = swap;
        }
        return previous[b.length()];
    }
}
