package ai.preempt.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code preempt serve} with a model that cannot be loaded stops at start-up with one sentence and exit 2. */
class ServeCommandTest {

    @Test
    void aMissingModelIsAClearStartUpErrorWithExit2() {
        CliFixtures.Run r = CliFixtures.run("serve", "--model", "no-such-model-anywhere", "--port", "0");
        assertThat(r.code()).isEqualTo(PreemptCli.EXIT_USAGE);
        assertThat(r.err()).startsWith("preempt: no model no-such-model-anywhere found").doesNotContain("\tat ");
        assertThat(r.out()).doesNotContain("is serving");
    }

    @Test
    void aCorruptModelFileIsAClearStartUpErrorWithExit2(@TempDir Path dir) throws Exception {
        Path pt = dir.resolve("broken.pt");
        Files.writeString(pt, "this is not TorchScript");
        CliFixtures.Run r = CliFixtures.run("serve", "--model", pt.toString(), "--port", "0");
        assertThat(r.code()).isEqualTo(PreemptCli.EXIT_USAGE);
        assertThat(r.err()).startsWith("preempt: ").contains("broken.pt").doesNotContain("\tat ");
        assertThat(r.err().lines().count()).isEqualTo(1);
        assertThat(r.out()).doesNotContain("is serving");
    }
}
