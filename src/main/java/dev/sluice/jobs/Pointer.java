package dev.sluice.jobs;

import java.util.ArrayList;
import java.util.List;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.MissingNode;

/**
 * A JSON Pointer (RFC 6901): {@code ""} is the whole document, {@code /a/0/b~1c} is member
 * {@code a}, its element 0, then member {@code b/c}. Parsed strictly: a {@code ~} not followed by
 * {@code 0} or {@code 1} is refused, and an array index is {@code 0} or a number without leading
 * zeros. Immutable and thread-safe.
 *
 * @param tokens the reference tokens, unescaped
 */
record Pointer(List<String> tokens) {

    Pointer {
        tokens = List.copyOf(tokens);
    }

    /** Parses {@code text}; {@link IllegalArgumentException} with the reason when it is no pointer. */
    static Pointer parse(String text) {
        if (text.isEmpty()) {
            return new Pointer(List.of());
        }
        if (text.charAt(0) != '/') {
            throw new IllegalArgumentException("a JSON Pointer starts with '/', was \"" + text + "\"");
        }
        List<String> tokens = new ArrayList<>();
        StringBuilder token = new StringBuilder();
        for (int i = 1; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '/') {
                tokens.add(token.toString());
                token.setLength(0);
            } else if (c == '~') {
                char next = i + 1 < text.length() ? text.charAt(i + 1) : 0;
                if (next != '0' && next != '1') {
                    throw new IllegalArgumentException("'~' must be followed by 0 or 1 (RFC 6901) in \"" + text + "\"");
                }
                token.append(next == '0' ? '~' : '/');
                i++;
            } else {
                token.append(c);
            }
        }
        tokens.add(token.toString());
        return new Pointer(tokens);
    }

    /** The pointer's text, each token escaped ({@code ~} as {@code ~0}, {@code /} as {@code ~1}). */
    String text() {
        StringBuilder text = new StringBuilder();
        for (String token : tokens) {
            text.append('/').append(token.replace("~", "~0").replace("/", "~1"));
        }
        return text.toString();
    }

    /** The node this pointer names in {@code document}, or a missing node when there is none. */
    JsonNode resolve(JsonNode document) {
        JsonNode node = document;
        for (String token : tokens) {
            if (node.isObject()) {
                node = node.get(token);
            } else if (node.isArray()) {
                int index = index(token);
                node = index < 0 ? null : node.get(index);
            } else {
                node = null;
            }
            if (node == null) {
                return MissingNode.getInstance();
            }
        }
        return node;
    }

    /** The array index a token names, or -1 (not a canonical non-negative integer, or too large). */
    static int index(String token) {
        int length = token.length();
        if (length == 0 || length > 9 || (length > 1 && token.charAt(0) == '0')) {
            return -1;
        }
        int value = 0;
        for (int i = 0; i < length; i++) {
            char c = token.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            value = value * 10 + (c - '0');
        }
        return value;
    }

    @Override
    public String toString() {
        return text();
    }
}
