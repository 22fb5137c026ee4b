package ai.preempt.cli;

import static org.assertj.core.api.Assertions.assertThat;

import ai.preempt.model.ModelCard;
import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class CertifyCommandTest {

    @ParameterizedTest
    @CsvSource({"--sigma, 0, --sigma", "--sigma, -0.25, --sigma", "--samples, 0, --samples", "--n0, 200000, --n0",
            "--alpha, 1.5, --alpha", "--l2-step, bogus, --l2-step", "--lr, 0, --lr"})
    void badSmoothingSettingsExitWithCode2AndOneSentence(String option, String value, String named) {
        CliFixtures.Run r = CliFixtures.run("certify", "--model", "no-such-model", "--data", "/no/such/dir", option,
                value);
        assertThat(r.code()).isEqualTo(PreemptCli.EXIT_USAGE);
        assertThat(r.err()).startsWith("preempt: ").contains(named);
        assertThat(r.err().strip().lines()).hasSize(1);
    }

    @Test
    void benchCertifyRejectsBadSigmaWithCode2() {
        assertThat(CliFixtures.run("bench", "certify", "--sigma", "0").code()).isEqualTo(PreemptCli.EXIT_USAGE);
    }

    @Test
    void certifyWritesPerImageJsonAndPlot(@TempDir Path dir) throws Exception {
        CliFixtures.Tiny tiny = CliFixtures.tinyModelAndData(dir);
        Path data = tiny.data();
        Path model = tiny.model();
        Path json = dir.resolve("out/cert.json");
        Path png = dir.resolve("out/cert.png");
        int code = CliFixtures.run("certify", "--model", model.toString(), "--data", data.toString(), "--n", "3",
                "--samples", "200", "--n0", "20", "--noise-batch", "100", "--json", json.toString(), "--plot",
                png.toString(), "--no-progress").code();
        assertThat(code).isZero();
        JsonNode report = ModelCard.JSON.readTree(json.toFile());
        assertThat(report.get("n").asInt()).isEqualTo(3);
        assertThat(report.get("images")).hasSize(3);
        assertThat(report.get("radii")).hasSize(5);
        assertThat(report.get("images").get(0).has("radius")).isTrue();
        assertThat(Files.size(png)).isGreaterThan(1000);
    }
}
