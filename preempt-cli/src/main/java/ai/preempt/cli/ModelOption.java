package ai.preempt.cli;

import ai.preempt.model.Classifier;
import ai.preempt.model.Models;
import picocli.CommandLine.Option;

/**
 * The {@code --model} option: a bundled model name, a model directory, or a TorchScript file. Not final: a test
 * substitutes a subclass (through {@link PreemptCli#commandLine(picocli.CommandLine.IFactory)}) that wraps what
 * {@link #load} returns.
 */
class ModelOption {

    /** The bundled default model. */
    static final String DEFAULT_MODEL = "adv-linf";

    @Option(names = {"-m", "--model"}, paramLabel = "MODEL", defaultValue = DEFAULT_MODEL,
            description = "A bundled model name (see 'preempt models'), a model directory with card.json, or a "
                    + "TorchScript file (.pt) with an optional side-car .json. Default: ${DEFAULT-VALUE}.")
    String model;

    Classifier load() {
        return Models.load(model);
    }
}
