package dev.ospec.intellij.launch;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class SpecFilesTest {
    @Test
    void specFilesEndInOspecYamlOrYml() {
        assertTrue(SpecFiles.isSpec("project.ospec.yaml"));
        assertTrue(SpecFiles.isSpec("api.ospec.yml"));
        assertTrue(SpecFiles.isSpec("Shop.OSPEC.YAML"));
    }

    @Test
    void plainYamlAndLookAlikesAreNotSpecs() {
        assertFalse(SpecFiles.isSpec("docker-compose.yaml"));
        assertFalse(SpecFiles.isSpec("ospec.yaml"));
        assertFalse(SpecFiles.isSpec("project.ospec.yaml.bak"));
        assertFalse(SpecFiles.isSpec("project.ospec"));
    }
}
