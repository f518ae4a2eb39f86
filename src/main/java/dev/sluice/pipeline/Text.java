package dev.sluice.pipeline;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/** Checks and cuts shared by the decoders: strict UTF-8, and a parser's message fit for a dead-letter reason. */
public final class Text {

    private Text() {
    }

    /** Whether {@code value} is well-formed UTF-8 (no replacement characters, no overlong forms). */
    public static boolean isStrictUtf8(byte[] value) {
        if (isAscii(value)) {
            return true; // the common case needs no decoder
        }
        try {
            StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(value));
            return true;
        } catch (CharacterCodingException e) {
            return false;
        }
    }

    /** The first line of a parser's message, at most 200 characters: a reason, not a dump of the input. */
    public static String firstLine(String message) {
        if (message == null) {
            return "unknown error";
        }
        int newline = message.indexOf('\n');
        String line = newline < 0 ? message : message.substring(0, newline);
        return line.length() > 200 ? line.substring(0, 200) : line;
    }

    private static boolean isAscii(byte[] value) {
        for (byte b : value) {
            if (b < 0) {
                return false;
            }
        }
        return true;
    }
}
