rootProject.name = "ospec-intellij"
