package ai.preempt.attack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.preempt.threat.Norm;
import ai.preempt.threat.ThreatModel;
import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

class NamedAttacksTest {

    private static final ThreatModel LINF = ThreatModel.of(Norm.LINF, 8 / 255.0);

    @Test
    void everyAutoAttackComponentCanBeNamedAloneWithItsStandardSettingsAndTheSeed() {
        Map<String, Function<ThreatModel, Attack>> m = NamedAttacks.parse("apgd-ce, APGD-T,fab-t,square", 7);
        assertThat(m).containsOnlyKeys("apgd-ce", "apgd-t", "fab-t", "square");
        AutoAttack aa = AutoAttack.builder().setThreat(LINF).optSeed(7).build();
        for (int c = 0; c < 4; c++) {
            Attack a = m.get(aa.components().get(c).name()).apply(LINF);
            assertThat(a.name()).isEqualTo(aa.components().get(c).name());
            assertThat(a).hasToString(aa.components().get(c).toString()); // same iterations, targets, queries, seed
            assertThat(a.threat()).isEqualTo(LINF);
        }
    }

    @Test
    void pgdAndTheEnsembleKeepTheirMeaningsInTheOrderGiven() {
        Map<String, Function<ThreatModel, Attack>> m = NamedAttacks.parse("aa,pgd,pgd10", 1);
        assertThat(m.keySet()).containsExactly("aa", "pgd", "pgd10");
        assertThat(m.get("aa").apply(LINF)).isInstanceOf(AutoAttack.class);
        assertThat(m.get("pgd").apply(LINF).toString()).isNotEqualTo(m.get("pgd10").apply(LINF).toString());
    }

    @Test
    void unknownOrEmptyListsAreRefusedNamingTheKnownAttacks() {
        assertThatThrownBy(() -> NamedAttacks.parse("pgd,cw", 0)).hasMessageContaining("'cw'")
                .hasMessageContaining("apgd-ce");
        assertThatThrownBy(() -> NamedAttacks.parse(" , ", 0)).hasMessageContaining("at least one");
    }
}
