package io.chargerstatus.infra;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Where {@link Config} reads its settings from (the packed defaults, a file over them) and how a raw value
 * becomes a checked one: each getter refuses a bad value with a message naming its environment variable.
 */
final class ConfigFile {
    static final String RESOURCE = "conf/charger-status.json";

    private ConfigFile() {}

    /** The packed conf/charger-status.json, in its order. */
    static Map<String, Object> packed() {
        try (InputStream in = ConfigFile.class.getClassLoader().getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException(RESOURCE + " is missing from the classpath");
            }
            return new ObjectMapper().readValue(in, new TypeReference<LinkedHashMap<String, Object>>() {});
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the packed " + RESOURCE, e);
        }
    }

    /**
     * The packed defaults with the file of CONFIG_FILE, or conf/charger-status.json in the working directory,
     * over them (before the environment's overrides).
     */
    static Map<String, Object> read(Map<String, String> env) {
        ObjectMapper mapper = new ObjectMapper();
        TypeReference<Map<String, Object>> type = new TypeReference<>() {};
        Map<String, Object> values = new HashMap<>(packed());
        String named = env.get("CONFIG_FILE");
        Path local = Path.of(named == null || named.isBlank() ? RESOURCE : named.trim());
        if (!Files.isRegularFile(local)) {
            if (named != null && !named.isBlank()) { // a file asked for and not there: never run on defaults instead
                throw new Config.Invalid("CONFIG_FILE names no readable file: " + named);
            }
            return values;
        }
        Map<String, Object> file;
        try {
            file = mapper.readValue(local.toFile(), type);
        } catch (JsonProcessingException e) {
            throw new Config.Invalid(local + " is not a JSON object of settings: " + e.getOriginalMessage()
                    + (e.getLocation() == null
                            ? ""
                            : " (line " + e.getLocation().getLineNr() + ", column "
                                    + e.getLocation().getColumnNr() + ")"));
        } catch (IOException e) {
            throw new Config.Invalid("cannot read " + local + ": " + e.getMessage());
        }
        for (String key : file.keySet()) {
            if (!values.containsKey(key)) { // a typo would otherwise be ignored, and its default silently used
                throw new Config.Invalid("unknown setting \"" + key + "\" in " + local
                        + " (the settings are those of the packed conf/charger-status.json; README, Configuration)");
            }
        }
        values.putAll(file);
        return values;
    }

    static int port(Map<String, Object> v, String key) {
        int port = integer(v, key);
        if (port < 0 || port > 65535) {
            throw new Config.Invalid(Config.envName(key) + " must be a port number (0 to 65535), got " + port);
        }
        return port;
    }

    static int positive(Map<String, Object> v, String key) {
        return atLeast(v, key, 1);
    }

    static int atLeast(Map<String, Object> v, String key, int min) {
        int value = integer(v, key);
        if (value < min) {
            throw new Config.Invalid(Config.envName(key) + " must be at least " + min + ", got " + value);
        }
        return value;
    }

    static int integer(Map<String, Object> v, String key) {
        Object value = v.get(key);
        if (value instanceof Number n && n.doubleValue() == n.intValue()) {
            return n.intValue();
        }
        try {
            return Integer.parseInt(String.valueOf(value));
        } catch (NumberFormatException e) {
            throw new Config.Invalid(Config.envName(key) + " must be an integer, got " + value);
        }
    }

    static boolean bool(Map<String, Object> v, String key) {
        Object value = v.get(key);
        if (value == null || value instanceof Boolean) {
            return Boolean.TRUE.equals(value);
        }
        return switch (String.valueOf(value).trim().toLowerCase()) {
            case "true" -> true;
            case "false" -> false;
            default -> throw new Config.Invalid(Config.envName(key) + " must be true or false, got " + value);
        };
    }

    static String string(Map<String, Object> v, String key) {
        Object value = v.get(key);
        return value == null || String.valueOf(value).isBlank() ? null : String.valueOf(value);
    }
}
