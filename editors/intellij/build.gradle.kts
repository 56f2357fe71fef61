// IntelliJ Platform Gradle Plugin 2.x build: `gradle buildPlugin` -> build/distributions/*.zip,
// `gradle verifyPlugin`, `gradle runIde`, `gradle test`. Needs Gradle 8.x and JDK 21, plus
// access to the Gradle plugin portal, Maven Central and JetBrains' repositories.
plugins {
    id("java")
    id("org.jetbrains.intellij.platform") version "2.10.4"
}

group = "dev.ospec"
version = providers.gradleProperty("pluginVersion").get()

repositories {
    mavenCentral()
    intellijPlatform {
        defaultRepositories()
    }
}

dependencies {
    intellijPlatform {
        // Community edition on purpose: LSP4IJ works there, the JetBrains LSP API does not.
        intellijIdeaCommunity(providers.gradleProperty("platformVersion"))
        plugin("com.redhat.devtools.lsp4ij", providers.gradleProperty("lsp4ijVersion").get())
        pluginVerifier()
        zipSigner()
    }
    testImplementation("org.junit.jupiter:junit-jupiter:${providers.gradleProperty("junitVersion").get()}")
    testRuntimeOnly("org.junit.platform:junit-platform-launcher")
}

java {
    toolchain {
        languageVersion = JavaLanguageVersion.of(21) // IntelliJ 2024.2+ runs on Java 21
    }
}

tasks.withType<JavaCompile> {
    options.release = 17 // the launch logic is also built and tested with javac 17 (see README)
}

intellijPlatform {
    buildSearchableOptions = false
    pluginConfiguration {
        version = providers.gradleProperty("pluginVersion")
        ideaVersion {
            sinceBuild = providers.gradleProperty("pluginSinceBuild")
            untilBuild = provider { null }
        }
    }
    pluginVerification {
        ides {
            recommended()
        }
    }
}

tasks.test {
    useJUnitPlatform()
    // The resolver tests need a Python with ospec installed (pip install -e ../..).
    systemProperty("ospec.test.python", providers.environmentVariable("OSPEC_TEST_PYTHON").getOrElse("python3"))
}
