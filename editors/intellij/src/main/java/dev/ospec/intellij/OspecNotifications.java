package dev.ospec.intellij;

import com.intellij.notification.NotificationGroupManager;
import com.intellij.notification.NotificationType;
import com.intellij.openapi.project.Project;

/** Balloons in the "OSpec" notification group (declared in plugin.xml). */
final class OspecNotifications {
    static final String GROUP = "OSpec";

    private OspecNotifications() {}

    static void serverNotFound(Project project, String message) {
        show(project, message, NotificationType.ERROR);
    }

    static void show(Project project, String message, NotificationType type) {
        NotificationGroupManager.getInstance()
                .getNotificationGroup(GROUP)
                .createNotification(message, type)
                .notify(project);
    }
}
