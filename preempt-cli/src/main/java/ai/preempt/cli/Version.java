package ai.preempt.cli;

import picocli.CommandLine;

/** Prints the version. */
final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
        String v = PreemptCli.class.getPackage().getImplementationVersion();
        return new String[] {"preempt " + (v == null ? "0.1.0-SNAPSHOT" : v)};
    }
}
