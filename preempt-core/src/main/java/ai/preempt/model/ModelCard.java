package ai.preempt.model;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The JSON card that travels beside every native model's parameters: what the model is, how its
 * inputs are normalised, what it was trained for, and what it measured.
 *
 * @param name short model name
 * @param architecture an {@link Architecture} id
 * @param parameters number of trainable parameters
 * @param mean per-channel normalisation mean (pixel space [0,1])
 * @param std per-channel normalisation standard deviation
 * @param inputShape C, H, W
 * @param classes class names
 * @param description for users: how the model was trained, what it measures, what it is for
 * @param training method, its settings, seed, epochs, wall time, images/s
 * @param metrics measured accuracies (name → value in [0,1]) with the subset they were measured on
 * @param command the command that reproduces the model
 * @param notes the model's history for its maintainers (targets met or missed, budgets, failed runs); not
 *     shown by {@code preempt models}
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(ignoreUnknown = true)
public record ModelCard(
        String name,
        String architecture,
        Long parameters,
        List<Float> mean,
        List<Float> std,
        List<Integer> inputShape,
        List<String> classes,
        String description,
        Map<String, Object> training,
        Map<String, Object> metrics,
        String command,
        String notes) {

    /** A card without notes. */
    public ModelCard(String name, String architecture, Long parameters, List<Float> mean, List<Float> std,
            List<Integer> inputShape, List<String> classes, String description, Map<String, Object> training,
            Map<String, Object> metrics, String command) {
        this(name, architecture, parameters, mean, std, inputShape, classes, description, training, metrics, command,
                null);
    }

    /** The JSON mapper used for every Preempt file: snake_case, indented. */
    public static final ObjectMapper JSON = JsonMapper.builder()
            .propertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
            .enable(SerializationFeature.INDENT_OUTPUT)
            .build();

    /** CIFAR-10 normalisation mean. */
    public static final List<Float> CIFAR_MEAN = List.of(0.4914f, 0.4822f, 0.4465f);
    /** CIFAR-10 normalisation standard deviation. */
    public static final List<Float> CIFAR_STD = List.of(0.2023f, 0.1994f, 0.2010f);
    /** CIFAR-10 class names in label order. */
    public static final List<String> CIFAR_CLASSES = ai.preempt.data.Cifar10.CLASSES;

    /** @return a copy with {@code key → value} added to the metrics */
    public ModelCard withMetric(String key, Object value) {
        Map<String, Object> m = metrics == null ? new LinkedHashMap<>() : new LinkedHashMap<>(metrics);
        m.put(key, value);
        return new ModelCard(name, architecture, parameters, mean, std, inputShape, classes, description, training,
                m, command, notes);
    }

    /** @return a copy with the given training section and command */
    public ModelCard withTraining(Map<String, Object> newTraining, String newCommand) {
        return new ModelCard(name, architecture, parameters, mean, std, inputShape, classes, description,
                newTraining, metrics, newCommand, notes);
    }

    /** Reads a card. */
    public static ModelCard read(Path file) throws IOException {
        return JSON.readValue(file.toFile(), ModelCard.class);
    }

    /** Writes the card atomically (temporary file, then move). */
    public void write(Path file) throws IOException {
        ai.preempt.io.AtomicFiles.write(file, out -> JSON.writeValue(out, this));
    }
}
