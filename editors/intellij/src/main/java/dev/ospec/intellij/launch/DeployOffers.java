package dev.ospec.intellij.launch;

import java.util.List;

/**
 * Picks the server's "Deploy OSpec project" code action for a document. The server fills in the
 * {@code ospec.deploy} arguments (document URI and the version it has seen), so the action never
 * sends a version the server does not know. An enabled offer is matched by its command; a
 * disabled one by command or kind, since the server sends a disabled action without a command.
 */
public final class DeployOffers {
    public static final String COMMAND = "ospec.deploy";
    /** The action's kind; a disabled action carries only this (no command) besides its reason. */
    public static final String KIND = "source.deploy.ospec";

    private DeployOffers() {}

    /** One code action or command as the server sent it (kind is null for a bare Command). */
    public record Offer(
            String title, String kind, String command, List<Object> arguments, String disabledReason) {
        public Offer {
            arguments = arguments == null ? List.of() : List.copyOf(arguments);
        }
    }

    /** What the Deploy action does next. */
    public sealed interface Choice permits Run, Disabled, Missing {}

    /** Send workspace/executeCommand with these arguments. */
    public record Run(String command, List<Object> arguments) implements Choice {}

    /** The server lists the action but will not run it yet (e.g. errors must be fixed first). */
    public record Disabled(String reason) implements Choice {}

    /** The server offered no deploy action (older server, or not a spec). */
    public record Missing(String message) implements Choice {}

    public static Choice choose(List<Offer> offers) {
        Offer disabled = null;
        for (Offer offer : offers) {
            boolean runs = COMMAND.equals(offer.command());
            if (runs && offer.disabledReason() == null) {
                return new Run(offer.command(), offer.arguments());
            }
            if ((runs || KIND.equals(offer.kind())) && offer.disabledReason() != null && disabled == null) {
                disabled = offer;
            }
        }
        if (disabled != null) {
            return new Disabled(disabled.disabledReason());
        }
        return new Missing(
                "The OSpec server offered no deploy action for this file. Update it with '"
                        + ServerResolver.INSTALL_HINT + " --upgrade' and restart the server.");
    }
}
