/**
 * Randomized smoothing: the smoothed classifier g with Cohen et al.'s PREDICT and CERTIFY
 * ({@link ai.preempt.smoothing.SmoothedClassifier}), the smoothed soft classifier G, usable wherever a
 * {@link ai.preempt.model.Classifier} is ({@link ai.preempt.smoothing.SoftSmoothedClassifier}), and Salman et
 * al.'s randomized PGD on G ({@link ai.preempt.smoothing.RandomizedPgd}).
 */
package ai.preempt.smoothing;
