package dev.sluice.jobs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** JSON Pointer (RFC 6901) parsing and resolution, including the RFC's own examples. */
class PointerTest {

    private static final JsonNode RFC_DOCUMENT = JsonMapper.builder().build().readTree("""
            {"foo": ["bar", "baz"], "": 0, "a/b": 1, "c%d": 2, "e^f": 3, "g|h": 4, "i\\\\j": 5, "k\\"l": 6, " ": 7, "m~n": 8}
            """);

    @Test
    void resolvesTheExamplesOfRfc6901() {
        assertThat(Pointer.parse("").resolve(RFC_DOCUMENT)).isEqualTo(RFC_DOCUMENT);
        assertThat(Pointer.parse("/foo").resolve(RFC_DOCUMENT).toString()).isEqualTo("[\"bar\",\"baz\"]");
        assertThat(Pointer.parse("/foo/0").resolve(RFC_DOCUMENT).asString()).isEqualTo("bar");
        String[][] examples = {{"/", "0"}, {"/a~1b", "1"}, {"/c%d", "2"}, {"/e^f", "3"}, {"/g|h", "4"}, {"/i\\j", "5"},
            {"/k\"l", "6"}, {"/ ", "7"}, {"/m~0n", "8"}};
        for (String[] example : examples) {
            assertThat(Pointer.parse(example[0]).resolve(RFC_DOCUMENT).asString()).as(example[0]).isEqualTo(example[1]);
        }
    }

    @Test
    void aPointerToNothingResolvesToAMissingNode() {
        assertThat(Pointer.parse("/nope").resolve(RFC_DOCUMENT).isMissingNode()).isTrue();
        assertThat(Pointer.parse("/foo/2").resolve(RFC_DOCUMENT).isMissingNode()).isTrue();
        assertThat(Pointer.parse("/foo/01").resolve(RFC_DOCUMENT).isMissingNode()).as("a leading zero is no index").isTrue();
        assertThat(Pointer.parse("/foo/-").resolve(RFC_DOCUMENT).isMissingNode()).isTrue();
        assertThat(Pointer.parse("/foo/0/deeper").resolve(RFC_DOCUMENT).isMissingNode()).isTrue();
    }

    @Test
    void refusesTextThatIsNoPointer() {
        assertThatThrownBy(() -> Pointer.parse("foo")).hasMessage("a JSON Pointer starts with '/', was \"foo\"");
        assertThatThrownBy(() -> Pointer.parse("/a~2")).hasMessage("'~' must be followed by 0 or 1 (RFC 6901) in \"/a~2\"");
        assertThatThrownBy(() -> Pointer.parse("/a~")).hasMessage("'~' must be followed by 0 or 1 (RFC 6901) in \"/a~\"");
    }

    @Test
    void indexesAreCanonicalNonNegativeIntegers() {
        assertThat(List.of("0", "7", "123456789")).allMatch(token -> Pointer.index(token) == Integer.parseInt(token));
        assertThat(List.of("", "01", "-1", "1a", "1234567890", "+1")).allMatch(token -> Pointer.index(token) == -1);
    }

    @Property
    void anyTokensSurviveEscapingAndParsing(@ForAll List<String> tokens) {
        assertThat(Pointer.parse(new Pointer(tokens).text()).tokens()).isEqualTo(tokens);
    }
}
