package ai.preempt.threat;

/** Parses perturbation budgets written as a fraction ({@code 8/255}) or a decimal ({@code 0.0314}). */
public final class Budget {

    private Budget() {}

    /**
     * @param text the budget
     * @param what the option name, for the error message (e.g. "--eps")
     * @return the value, which lies in (0, 1]
     * @throws IllegalArgumentException with one sentence when the text is not a number in (0, 1]
     */
    public static double parse(String text, String what) {
        double v;
        try {
            String t = text.trim();
            int slash = t.indexOf('/');
            v = slash < 0 ? Double.parseDouble(t)
                    : Double.parseDouble(t.substring(0, slash)) / Double.parseDouble(t.substring(slash + 1));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(what + " must be a number such as 8/255 or 0.5, got '" + text + "'");
        }
        if (!(v > 0 && v <= 1) || Double.isNaN(v)) {
            throw new IllegalArgumentException(what + " must lie in (0, 1] (pixel scale), got " + text);
        }
        return v;
    }
}
