package dev.ospec.intellij;

import com.intellij.notification.NotificationType;
import com.intellij.openapi.actionSystem.ActionUpdateThread;
import com.intellij.openapi.actionSystem.AnAction;
import com.intellij.openapi.actionSystem.AnActionEvent;
import com.intellij.openapi.actionSystem.CommonDataKeys;
import com.intellij.openapi.project.Project;
import com.intellij.openapi.vfs.VirtualFile;
import com.redhat.devtools.lsp4ij.LSPIJUtils;
import com.redhat.devtools.lsp4ij.LanguageServerItem;
import com.redhat.devtools.lsp4ij.LanguageServerManager;
import dev.ospec.intellij.launch.DeployOffers;
import dev.ospec.intellij.launch.SpecFiles;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.eclipse.lsp4j.CodeAction;
import org.eclipse.lsp4j.CodeActionContext;
import org.eclipse.lsp4j.CodeActionParams;
import org.eclipse.lsp4j.Command;
import org.eclipse.lsp4j.ExecuteCommandParams;
import org.eclipse.lsp4j.Position;
import org.eclipse.lsp4j.Range;
import org.eclipse.lsp4j.TextDocumentIdentifier;
import org.eclipse.lsp4j.jsonrpc.messages.Either;
import org.jetbrains.annotations.NotNull;

/**
 * "Deploy OSpec Project": asks the server for its deploy code action on the current spec and runs
 * the {@code ospec.deploy} command with the arguments the server put in it (document URI and the
 * version it has), via workspace/executeCommand. Progress and the outcome arrive from the server
 * as $/progress and window/showMessage, which LSP4IJ shows.
 */
public final class DeployAction extends AnAction {
    @Override
    public @NotNull ActionUpdateThread getActionUpdateThread() {
        return ActionUpdateThread.BGT;
    }

    /** Only with a spec open in an editor: LSP4IJ syncs open documents, so the server knows it. */
    @Override
    public void update(@NotNull AnActionEvent e) {
        VirtualFile file = e.getData(CommonDataKeys.VIRTUAL_FILE);
        e.getPresentation().setEnabledAndVisible(e.getProject() != null
                && e.getData(CommonDataKeys.EDITOR) != null
                && file != null
                && SpecFiles.isSpec(file.getName()));
    }

    @Override
    public void actionPerformed(@NotNull AnActionEvent e) {
        Project project = e.getProject();
        VirtualFile file = e.getData(CommonDataKeys.VIRTUAL_FILE);
        if (project == null || file == null) {
            return;
        }
        String uri = LSPIJUtils.toUriAsString(file);
        LanguageServerManager.getInstance(project)
                .getLanguageServer(OspecLanguageServerFactory.SERVER_ID)
                .thenCompose(server -> server == null ? notRunning(project) : deploy(project, server, uri))
                .exceptionally(error -> {
                    Throwable cause = error.getCause() != null ? error.getCause() : error;
                    OspecNotifications.show(project, "Deploy failed: " + cause.getMessage(), NotificationType.ERROR);
                    return null;
                });
    }

    private static CompletableFuture<Object> deploy(Project project, LanguageServerItem server, String uri) {
        CodeActionParams params = new CodeActionParams(
                new TextDocumentIdentifier(uri),
                new Range(new Position(0, 0), new Position(0, 0)),
                new CodeActionContext(List.of()));
        return server.getTextDocumentService().codeAction(params).thenCompose(actions -> {
            DeployOffers.Choice choice = DeployOffers.choose(offers(actions));
            if (choice instanceof DeployOffers.Run run) {
                return server.getWorkspaceService()
                        .executeCommand(new ExecuteCommandParams(run.command(), run.arguments()));
            }
            String message = choice instanceof DeployOffers.Disabled disabled
                    ? "Cannot deploy yet: " + disabled.reason()
                    : ((DeployOffers.Missing) choice).message();
            OspecNotifications.show(project, message, NotificationType.WARNING);
            return CompletableFuture.completedFuture(null);
        });
    }

    private static CompletableFuture<Object> notRunning(Project project) {
        OspecNotifications.show(project,
                "The OSpec language server is not running. Open a *.ospec.yaml file, or check the"
                        + " LSP console (View | Tool Windows | Language Servers).",
                NotificationType.WARNING);
        return CompletableFuture.completedFuture(null);
    }

    private static List<DeployOffers.Offer> offers(List<Either<Command, CodeAction>> actions) {
        List<DeployOffers.Offer> offers = new ArrayList<>();
        for (Either<Command, CodeAction> item : actions == null ? List.<Either<Command, CodeAction>>of() : actions) {
            if (item.isLeft()) {
                Command command = item.getLeft();
                offers.add(new DeployOffers.Offer(
                        command.getTitle(), null, command.getCommand(), command.getArguments(), null));
                continue;
            }
            CodeAction action = item.getRight();
            Command command = action.getCommand();
            String disabled = action.getDisabled() == null ? null : action.getDisabled().getReason();
            offers.add(new DeployOffers.Offer(action.getTitle(), action.getKind(),
                    command == null ? null : command.getCommand(),
                    command == null ? null : command.getArguments(),
                    disabled));
        }
        return offers;
    }
}
