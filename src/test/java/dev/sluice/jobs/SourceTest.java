package dev.sluice.jobs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class SourceTest {

    @Test
    void parsesEverySource() {
        assertThat(Source.parse("@key")).isEqualTo(new Source.KeyText());
        assertThat(Source.parse("@key/id/0")).isEqualTo(new Source.KeyField(new Pointer(List.of("id", "0"))));
        assertThat(Source.parse("/customer/name")).isEqualTo(new Source.ValueField(new Pointer(List.of("customer", "name"))));
        assertThat(Source.parse("/a~1b")).isEqualTo(new Source.ValueField(new Pointer(List.of("a/b"))));
        assertThat(Source.parse("@timestamp")).isEqualTo(new Source.Metadata(Source.Part.TIMESTAMP));
        assertThat(Source.parse("@topic")).isEqualTo(new Source.Metadata(Source.Part.TOPIC));
        assertThat(Source.parse("@partition")).isEqualTo(new Source.Metadata(Source.Part.PARTITION));
        assertThat(Source.parse("@offset")).isEqualTo(new Source.Metadata(Source.Part.OFFSET));
        assertThat(Source.parse("@header:trace-id")).isEqualTo(new Source.Header("trace-id"));
        assertThat(Source.parse("@key").fromKey()).isTrue();
        assertThat(Source.parse("@key/id").fromKey()).isTrue();
        assertThat(Source.parse("/id").fromKey()).isFalse();
        assertThat(Source.parse("@header:x").fromRecord()).isTrue();
        assertThat(Source.parse("@offset").fromRecord()).isTrue();
    }

    @Test
    void refusesAnythingElseSayingWhatIsAllowed() {
        assertThatThrownBy(() -> Source.parse("customer")).hasMessageStartingWith("unknown source \"customer\": a JSON Pointer starts with '/'");
        assertThatThrownBy(() -> Source.parse("@header:")).hasMessageStartingWith("unknown source \"@header:\"");
        assertThatThrownBy(() -> Source.parse("@keys")).hasMessageStartingWith("unknown source \"@keys\"");
        assertThatThrownBy(() -> Source.parse("")).hasMessageStartingWith("a source is required");
        assertThatThrownBy(() -> Source.parse("@key/a~3")).hasMessageContaining("RFC 6901");
    }
}
