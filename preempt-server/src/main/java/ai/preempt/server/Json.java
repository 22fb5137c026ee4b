package ai.preempt.server;

import ai.preempt.data.Image;
import ai.preempt.data.ImageIo;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The service's JSON bodies: compact, ASCII-only (so a body fits in a response header), one line. */
final class Json {

    private static final ObjectMapper MAPPER = JsonMapper.builder()
            .enable(JsonGenerator.Feature.ESCAPE_NON_ASCII).build();

    private Json() {}

    /** @return {@code value} as one line of JSON */
    static String write(Object value) {
        try {
            return MAPPER.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("could not write JSON: " + e.getMessage(), e);
        }
    }

    /** @return the one-line error body */
    static String error(String message) {
        return write(Map.of("error", message == null ? "error" : message));
    }

    /** @return the image as base64 of its 8-bit PNG */
    static String png64(Image img) {
        return Base64.getEncoder().encodeToString(ImageIo.toPngBytes(img));
    }

    /** @return the answer of /v1/robustify?format=json */
    static Map<String, Object> robustified(ProtectionService.Robustified r) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("verdict", r.verdict());
        m.put("width", r.output().width());
        m.put("height", r.output().height());
        m.put("image", png64(r.output()));
        m.put("input", png64(r.input()));
        return m;
    }

    /** @return the answer of /v1/classify */
    static Map<String, Object> classified(ProtectionService.Classified c, List<String> classes) {
        Map<String, Object> probs = new LinkedHashMap<>();
        for (int i = 0; i < classes.size(); i++) {
            probs.put(classes.get(i), c.probabilities()[i]);
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("label", c.label());
        m.put("class", c.className());
        m.put("probabilities", probs);
        return m;
    }

    /** @return the answer of /v1/attack */
    static Map<String, Object> attacked(ProtectionService.Attacked a) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("labelBefore", a.labelBefore());
        m.put("classBefore", a.classBefore());
        m.put("labelAfter", a.labelAfter());
        m.put("classAfter", a.classAfter());
        m.put("changed", a.changed());
        m.put("linfDistance", a.linfDistance());
        m.put("width", a.output().width());
        m.put("height", a.output().height());
        m.put("image", png64(a.output()));
        m.put("input", png64(a.input()));
        return m;
    }
}
