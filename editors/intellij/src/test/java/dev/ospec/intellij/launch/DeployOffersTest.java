package dev.ospec.intellij.launch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import dev.ospec.intellij.launch.DeployOffers.Offer;
import java.util.List;
import org.junit.jupiter.api.Test;

class DeployOffersTest {
    static final String URI = "file:///work/shop.ospec.yaml";

    @Test
    void theDeployActionRunsWithTheArgumentsTheServerChose() {
        DeployOffers.Choice choice = DeployOffers.choose(List.of(
                new Offer("Add missing key 'version'", "quickfix", null, null, null),
                new Offer("Deploy OSpec project", DeployOffers.KIND, "ospec.deploy", List.of(URI, 7L), null)));
        assertEquals(new DeployOffers.Run("ospec.deploy", List.of(URI, 7L)), choice);
    }

    @Test
    void aDisabledDeployActionReportsTheServersReason() {
        DeployOffers.Choice choice = DeployOffers.choose(List.of(
                new Offer("Deploy OSpec project", DeployOffers.KIND, null, null, "3 errors must be fixed first")));
        assertEquals(new DeployOffers.Disabled("3 errors must be fixed first"), choice);
    }

    @Test
    void anEnabledDeployActionWinsOverADisabledOne() {
        DeployOffers.Choice choice = DeployOffers.choose(List.of(
                new Offer("Deploy", DeployOffers.KIND, "ospec.deploy", List.of(URI, 1L), "stale"),
                new Offer("Deploy", DeployOffers.KIND, "ospec.deploy", List.of(URI, 2L), null)));
        assertEquals(new DeployOffers.Run("ospec.deploy", List.of(URI, 2L)), choice);
    }

    @Test
    void anEnabledActionOfTheDeployKindWithAnotherCommandIsNotRun() {
        DeployOffers.Choice choice = DeployOffers.choose(List.of(
                new Offer("Deploy", DeployOffers.KIND, "other.command", List.of(URI), null)));
        assertInstanceOf(DeployOffers.Missing.class, choice);
    }

    @Test
    void withoutADeployActionTheUserIsToldToUpdateTheServer() {
        DeployOffers.Choice choice = DeployOffers.choose(List.of(new Offer("Other", null, "ospec.status", List.of(URI), null)));
        DeployOffers.Missing missing = assertInstanceOf(DeployOffers.Missing.class, choice);
        assertEquals(true, missing.message().contains("pip install ospec --upgrade"));
    }
}
