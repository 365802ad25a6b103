package io.chargerstatus.api;

import static io.chargerstatus.testkit.Api.expect;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.chargerstatus.testkit.Api;
import io.chargerstatus.testkit.TestCharger;
import io.chargerstatus.testkit.TestDatabase;
import io.chargerstatus.testkit.TestService;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The dashboard in headless Chromium (Debian's chromium and chromium-driver, installed by .ci/run)
 * against the real service and database. Saves target/dashboard.png.
 */
@DisplayName("The dashboard in a real browser")
class DashboardBrowserIT {
    private static final File CHROMIUM = new File("/usr/bin/chromium");
    private static final File CHROMEDRIVER = new File("/usr/bin/chromedriver");
    private static TestService service;
    private static WebDriver browser;
    private static WebDriverWait wait;

    @BeforeAll
    static void start() throws Exception {
        assumeTrue(
                CHROMIUM.canExecute() && CHROMEDRIVER.canExecute(),
                "needs Debian's chromium and chromium-driver (.ci/run installs them)");
        service = TestService.start(TestDatabase.fresh(), Map.of());
        Api api = service.api();
        for (String account : List.of("east", "west")) {
            expect(
                    201,
                    api.post(
                            "/api/v1/accounts",
                            new JsonObject().put("id", account).put("name", account.toUpperCase())));
        }
        expect(
                201,
                api.post(
                        "/api/v1/sites",
                        new JsonObject()
                                .put("id", "hq")
                                .put("accountId", "east")
                                .put("name", "Head office")
                                .put("timezone", "Europe/Paris")));
        expect(
                201,
                api.post(
                        "/api/v1/chargers",
                        new JsonObject()
                                .put("id", "EAST-1")
                                .put("accountId", "east")
                                .put("siteId", "hq")
                                .put("name", "Lobby left")));
        expect(
                201,
                api.post(
                        "/api/v1/chargers",
                        new JsonObject()
                                .put("id", "EAST-2")
                                .put("accountId", "east")
                                .put("name", "Lobby right")));
        expect(
                201,
                api.post(
                        "/api/v1/chargers",
                        new JsonObject()
                                .put("id", "WEST-1")
                                .put("accountId", "west")
                                .put("name", "Depot")));
        ChromeOptions options = new ChromeOptions()
                .setBinary(CHROMIUM)
                .addArguments(
                        "--headless=new",
                        "--no-sandbox",
                        "--disable-gpu",
                        "--disable-quic",
                        "--no-first-run",
                        "--disable-background-networking",
                        "--disable-component-update",
                        "--disable-sync",
                        "--disable-dev-shm-usage",
                        "--window-size=1280,900",
                        "--user-data-dir=" + Files.createTempDirectory("cs-chromium"));
        ChromeDriverService driverService = new ChromeDriverService.Builder()
                .usingDriverExecutable(CHROMEDRIVER)
                .usingAnyFreePort()
                .build();
        browser = new ChromeDriver(driverService, options);
        wait = new WebDriverWait(browser, Duration.ofSeconds(10));
    }

    @AfterAll
    static void stop() throws Exception {
        if (browser != null) {
            browser.quit();
        }
        if (service != null) {
            service.close();
        }
    }

    /** WCAG contrast ratio of two CSS rgb()/rgba() colours. */
    private static double contrast(String a, String b) {
        double la = luminance(a);
        double lb = luminance(b);
        return (Math.max(la, lb) + 0.05) / (Math.min(la, lb) + 0.05);
    }

    private static double luminance(String rgb) {
        String[] p = rgb.replaceAll("[^0-9.,]", "").split(",");
        double[] c = new double[3];
        for (int i = 0; i < 3; i++) {
            double v = Double.parseDouble(p[i]) / 255;
            c[i] = v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4);
        }
        return 0.2126 * c[0] + 0.7152 * c[1] + 0.0722 * c[2];
    }

    private static WebElement row(String id) {
        return browser.findElement(By.cssSelector("#chargers tbody tr[data-id='" + id + "']"));
    }

    private static String status(String id) {
        return row(id).getAttribute("data-status");
    }

    @Test
    @DisplayName("sign in, watch a status change live, unhide the fault code, filter by account and status")
    void operatorJourney() throws Exception {
        browser.get("http://127.0.0.1:" + service.httpPort + "/");
        browser.findElement(By.id("token")).sendKeys("wrong-token");
        browser.findElement(By.cssSelector("#sign-in button")).click();
        wait.until(d -> d.findElement(By.id("sign-in-error")).getText().contains("not valid"));
        browser.findElement(By.id("token")).clear();
        browser.findElement(By.id("token")).sendKeys(TestService.ADMIN);
        browser.findElement(By.cssSelector("#sign-in button")).click();
        wait.until(d -> d.findElements(By.cssSelector("#chargers tbody tr")).size() == 3);
        wait.until(d -> d.findElement(By.id("live")).getText().equals("live"));
        assertEquals("Unknown", status("EAST-1"));
        assertEquals(
                "3",
                browser.findElement(By.cssSelector(".counter[data-status='Unknown'] .n"))
                        .getText());

        // The site column shows the site's name; times are relative, the absolute one on hover.
        assertEquals(
                "Head office",
                row("EAST-1").findElements(By.tagName("td")).get(2).getText());
        WebElement since = row("EAST-1").findElements(By.tagName("td")).get(4);
        assertTrue(since.getText().endsWith("ago") || since.getText().equals("just now"), since.getText());
        assertFalse(since.getAttribute("title").isEmpty(), "the absolute time is in the title");

        // A charger's StatusNotification shows in the row live (over SSE, no reload).
        TestCharger cp = TestCharger.connect(service, "EAST-1");
        cp.boot();
        cp.status(1, "Charging");
        wait.until(d -> "Charging".equals(status("EAST-1")));

        // The trend chart: 24 hours of points from /status-history, the newest following the table live.
        WebElement trend = browser.findElement(By.id("trend-svg"));
        assertTrue(Integer.parseInt(trend.getAttribute("data-points")) >= 96, "a day of 15-minute points");
        // A fresh install: the hours before its first charger are not drawn; axes say how many and when.
        assertTrue(Integer.parseInt(trend.getAttribute("data-shown")) < 96, trend.getAttribute("data-shown"));
        assertTrue(browser.findElements(By.cssSelector("#trend-svg text.axis")).size() >= 3, "count and time axes");
        assertTrue(browser.findElement(By.id("trend-caption")).getText().startsWith("Chargers per status since"));
        wait.until(
                d -> new JsonObject(d.findElement(By.id("trend-svg")).getAttribute("data-last")).getInteger("Charging")
                        == 1);
        assertFalse(browser.findElements(By.cssSelector("#trend-svg rect[data-status='Unknown']"))
                .isEmpty());
        assertEquals(
                "1",
                browser.findElement(By.cssSelector(".counter[data-status='Charging'] .n"))
                        .getText());

        // Faulted: the hidden Fault code column shows the code once unhidden.
        TestCharger other = TestCharger.connect(service, "EAST-2");
        // Its firmware bends the schema (a 33-character serial) and reports a security event: both in its drawer.
        other.ok(
                "BootNotification",
                new JsonObject()
                        .put("chargePointVendor", "Schneider Electric")
                        .put("chargePointModel", "EVlink Smart Wallbox")
                        .put("chargeBoxSerialNumber", "EVB1A22P2RI3N182341200100350795E5"));
        other.ok(
                "SecurityEventNotification",
                new JsonObject()
                        .put("type", "StartupOfTheDevice")
                        .put("timestamp", Instant.now().toString()));
        other.status(2, "Available");
        other.status(1, "Faulted", "GroundFailure", "E-105", Instant.now());
        wait.until(d -> "Faulted".equals(status("EAST-2")));
        // Each connector's status in the row, as a numbered chip: connector 1 faulted, connector 2 available.
        wait.until(d -> !row("EAST-2")
                .findElements(By.cssSelector(".chip[data-connector='2'][data-status='Available']"))
                .isEmpty());
        assertEquals(
                "connector 1: Faulted",
                row("EAST-2")
                        .findElement(By.cssSelector(".chip[data-connector='1']"))
                        .getAttribute("title"));
        WebElement faultCell = row("EAST-2").findElements(By.tagName("td")).get(6);
        assertFalse(faultCell.isDisplayed(), "the Fault code column is hidden by default");
        browser.findElement(By.id("show-fault")).click();
        assertTrue(faultCell.isDisplayed());
        assertEquals("GroundFailure/E-105", faultCell.getText());
        assertEquals(
                "There is a problem with the charger; it reported a fault code.",
                row("EAST-2").findElement(By.cssSelector(".badge")).getAttribute("title"),
                "the help article's wording as a tooltip");

        // Filter by status with its counter, then by account with the selector.
        browser.findElement(By.cssSelector(".counter[data-status='Faulted']")).click();
        wait.until(d -> d.findElements(By.cssSelector("#chargers tbody tr")).size() == 1);
        assertEquals(
                "EAST-2",
                browser.findElement(By.cssSelector("#chargers tbody tr")).getAttribute("data-id"));
        browser.findElement(By.cssSelector(".counter[data-status='Faulted']")).click();
        new Select(browser.findElement(By.id("account"))).selectByValue("west");
        wait.until(d -> d.findElements(By.cssSelector("#chargers tbody tr")).size() == 1
                && d.findElement(By.cssSelector("#chargers tbody tr"))
                        .getAttribute("data-id")
                        .equals("WEST-1"));

        // Search, and the detail panel by keyboard.
        new Select(browser.findElement(By.id("account"))).selectByValue("");
        wait.until(d -> d.findElements(By.cssSelector("#chargers tbody tr")).size() == 3);

        // Sorting by Status puts problems first: the Faulted charger tops the list, Charging comes after Unknown.
        browser.findElement(By.cssSelector("th[data-key='status'] button")).click();
        wait.until(d -> "EAST-2"
                .equals(d.findElement(By.cssSelector("#chargers tbody tr")).getAttribute("data-id")));
        List<String> order = browser.findElements(By.cssSelector("#chargers tbody tr")).stream()
                .map(r -> r.getAttribute("data-status"))
                .toList();
        assertEquals(List.of("Faulted", "Unknown", "Charging"), order);

        // Every status has its own badge colour, each readable (WCAG contrast of at least 4.5:1).
        @SuppressWarnings("unchecked")
        List<Object> badges = (List<Object>) ((org.openqa.selenium.JavascriptExecutor) browser).executeScript("""
                const out = [];
                for (const s of ["Available","Preparing","Charging","Finishing","Completed","Paused","Faulted","Offline","Unknown","Unavailable"]) {
                  const b = document.createElement("span");
                  b.className = "badge s-" + s;
                  document.body.append(b);
                  const st = getComputedStyle(b);
                  out.push([s, st.backgroundColor, st.color]);
                  b.remove();
                }
                return out;""");
        java.util.Set<String> backgrounds = new java.util.HashSet<>();
        for (Object o : badges) {
            List<?> b = (List<?>) o;
            backgrounds.add((String) b.get(1));
            double ratio = contrast((String) b.get(1), (String) b.get(2));
            assertTrue(ratio >= 4.5, b.get(0) + " badge contrast " + ratio);
        }
        assertEquals(10, backgrounds.size(), "ten distinct badge colours: " + backgrounds);
        assertEquals(200, service.api(null).get("/favicon.svg").status());
        browser.findElement(By.id("search")).sendKeys("lobby right");
        wait.until(d -> d.findElements(By.cssSelector("#chargers tbody tr")).size() == 1);
        row("EAST-2").sendKeys(org.openqa.selenium.Keys.ENTER);
        wait.until(d -> d.findElement(By.id("detail")).isDisplayed()
                && d.findElement(By.id("detail-title")).getText().contains("EAST-2"));
        wait.until(d -> !d.findElements(By.cssSelector("#detail-history li")).isEmpty());
        wait.until(d -> d.findElement(By.id("detail-deviations")).getText().contains("long-string"));
        // A hard reset asks first: dismissed, nothing is sent; accepted, the charger gets it.
        WebElement hardReset = browser.findElement(By.cssSelector("[data-command='reset'][data-body*='Hard']"));
        assertTrue(hardReset.isEnabled(), "an online charger's commands are enabled");
        hardReset.click();
        assertTrue(browser.switchTo().alert().getText().contains("Hard reset EAST-2"));
        browser.switchTo().alert().dismiss();
        hardReset.click();
        browser.switchTo().alert().accept();
        JsonArray reset = other.nextCallFromService("Reset", 10);
        assertEquals("Hard", reset.getJsonObject(3).getString("type"), "sent once confirmed");
        wait.until(d -> d.findElement(By.id("command-result")).getText().contains("Hard reset: Accepted"));
        assertNull(other.nextCallFromService("Reset", 1), "the dismissed one was never sent");
        assertTrue(
                browser.findElement(By.id("detail-deviations"))
                        .getText()
                        .contains("chargeBoxSerialNumber, 33 characters"),
                browser.findElement(By.id("detail-deviations")).getText());
        assertTrue(
                browser.findElement(By.id("detail-security")).getText().contains("StartupOfTheDevice (critical)"),
                browser.findElement(By.id("detail-security")).getText());
        // The charger's OCPP version is one of its facts (the one thing that tells a 2.0.1 charger apart).
        assertTrue(
                browser.findElement(By.id("detail-facts")).getText().matches("(?s).*OCPP\\s+1\\.6.*"),
                browser.findElement(By.id("detail-facts")).getText());

        Path shot = ((TakesScreenshot) browser).getScreenshotAs(OutputType.FILE).toPath();
        Files.copy(shot, Path.of("target", "dashboard.png"), StandardCopyOption.REPLACE_EXISTING);

        // Escape closes the detail; at tablet width the page itself does not scroll sideways (the table may, inside its
        // box).
        browser.findElement(By.tagName("body")).sendKeys(org.openqa.selenium.Keys.ESCAPE);
        wait.until(d -> !d.findElement(By.id("detail")).isDisplayed());
        browser.manage().window().setSize(new org.openqa.selenium.Dimension(820, 1180));
        Object overflow = ((org.openqa.selenium.JavascriptExecutor) browser)
                .executeScript("return document.documentElement.scrollWidth - window.innerWidth;");
        assertTrue(((Number) overflow).longValue() <= 0, "no sideways scrolling of the page at 820 px: " + overflow);
        Path tablet =
                ((TakesScreenshot) browser).getScreenshotAs(OutputType.FILE).toPath();
        Files.copy(tablet, Path.of("target", "dashboard-tablet.png"), StandardCopyOption.REPLACE_EXISTING);

        // A phone: every row's status badge is on screen, the drawer's connector table fits its drawer, and an
        // offline charger's commands are disabled.
        browser.manage().window().setSize(new org.openqa.selenium.Dimension(360, 780));
        ((org.openqa.selenium.JavascriptExecutor) browser).executeScript("""
                const q = document.getElementById('search');
                q.value = '';
                q.dispatchEvent(new Event('input'));""");
        wait.until(d -> d.findElements(By.cssSelector("#chargers tbody tr")).size() == 3);
        Object offscreen = ((org.openqa.selenium.JavascriptExecutor) browser).executeScript("""
                return [...document.querySelectorAll('#chargers tbody .badge')]
                  .filter(b => b.getBoundingClientRect().right > window.innerWidth).length;""");
        assertEquals(0L, ((Number) offscreen).longValue(), "every status badge within the phone's width");
        row("EAST-2").click();
        wait.until(d -> d.findElement(By.id("detail")).isDisplayed()
                && !d.findElements(By.cssSelector("#detail-connectors tbody tr"))
                        .isEmpty());
        Object cut = ((org.openqa.selenium.JavascriptExecutor) browser).executeScript("""
                const t = document.getElementById('detail-connectors');
                return t.getBoundingClientRect().right - document.getElementById('detail').getBoundingClientRect().right;""");
        Path phone0 =
                ((TakesScreenshot) browser).getScreenshotAs(OutputType.FILE).toPath();
        Files.copy(phone0, Path.of("target", "dashboard-phone.png"), StandardCopyOption.REPLACE_EXISTING);
        assertTrue(((Number) cut).doubleValue() <= 0, "the connector table is not cut off: " + cut);
        Path phone =
                ((TakesScreenshot) browser).getScreenshotAs(OutputType.FILE).toPath();
        Files.copy(phone, Path.of("target", "dashboard-phone.png"), StandardCopyOption.REPLACE_EXISTING);
        browser.findElement(By.id("detail-close")).click();
        wait.until(d -> !d.findElement(By.id("detail")).isDisplayed());
        row("WEST-1").click();
        wait.until(d -> d.findElement(By.id("detail-title")).getText().contains("WEST-1")
                && d.findElement(By.id("commands-offline")).isDisplayed());
        assertTrue(
                browser.findElements(By.cssSelector("[data-command]")).stream().noneMatch(WebElement::isEnabled),
                "no command can be sent to a charger without a session");
        cp.close();
        other.close();
    }

    @Test
    @DisplayName("an open incident is at the top of the board and is acknowledged there with a note")
    void incidentAtTheTop() throws Exception {
        Api api = service.api();
        expect(
                200,
                api.send(
                        "PUT",
                        "/api/v1/accounts/west/alerting",
                        new JsonObject().put("offlineAfterS", 1).encode()));
        TestCharger cp = TestCharger.connect(service, "WEST-1");
        cp.boot();
        cp.status(1, "Available");
        cp.close();
        browser.get("http://127.0.0.1:" + service.httpPort + "/");
        if (!browser.findElements(By.id("token")).isEmpty()
                && browser.findElement(By.id("token")).isDisplayed()) {
            browser.findElement(By.id("token")).sendKeys(TestService.ADMIN);
            browser.findElement(By.cssSelector("#sign-in button")).click();
        }
        WebDriverWait slow = new WebDriverWait(browser, Duration.ofSeconds(60));
        // The list element stays; its items are replaced at each reload (read through it, never kept).
        slow.until(d -> d.findElement(By.id("incident-list")).getText().contains("Offline — WEST-1"));
        assertTrue(browser.findElement(By.id("incidents")).isDisplayed());
        ((org.openqa.selenium.JavascriptExecutor) browser)
                .executeScript("[...document.querySelectorAll('#incident-list li')]"
                        + ".find((li) => li.textContent.includes('WEST-1')).querySelector('button').click()");
        slow.until(d -> {
            try {
                d.switchTo().alert();
                return true;
            } catch (org.openqa.selenium.NoAlertPresentException e) {
                return false;
            }
        });
        browser.switchTo().alert().sendKeys("on my way");
        browser.switchTo().alert().accept();
        slow.until(d -> d.findElement(By.id("incident-list")).getText().contains("acknowledged by admin: on my way"));
        JsonArray open = expect(200, api.get("/api/v1/incidents?accountId=west&state=open"))
                .array();
        assertEquals("on my way", open.getJsonObject(0).getString("note"));
    }

    @Test
    @DisplayName(
            "the roaming view: the OCPI identity, a site's location and a port's EVSE data filled in, then published")
    void roamingView() throws Exception {
        try (TestService roam = TestService.start(TestDatabase.fresh(), Map.of())) {
            Api api = roam.api();
            api.account(
                    "west",
                    "WEST",
                    new JsonObject().put("id", "quay").put("accountId", "west").put("timezone", "UTC"));
            expect(
                    201,
                    api.post(
                            "/api/v1/chargers",
                            new JsonObject()
                                    .put("id", "W-1")
                                    .put("accountId", "west")
                                    .put("siteId", "quay")));
            browser.get("http://127.0.0.1:" + roam.httpPort + "/");
            browser.findElement(By.id("token")).sendKeys(TestService.ADMIN);
            browser.findElement(By.cssSelector("#sign-in button")).click();
            WebDriverWait slow = new WebDriverWait(browser, Duration.ofSeconds(60));
            slow.until(d -> d.findElement(By.id("account-box")).isDisplayed());
            new Select(browser.findElement(By.id("account"))).selectByValue("west");
            browser.findElement(By.cssSelector("#roaming summary")).click();
            slow.until(d -> d.findElement(By.id("roaming-body")).isDisplayed()
                    && !d.findElements(By.cssSelector("#loc-site option")).isEmpty());

            browser.findElement(By.id("ocpi-country")).sendKeys("NL");
            browser.findElement(By.id("ocpi-party")).sendKeys("WST");
            browser.findElement(By.id("ocpi-open")).click();
            browser.findElement(By.cssSelector("#ocpi-form button")).click();
            slow.until(d -> d.findElement(By.id("ocpi-result")).getText().equals("Identity saved."));

            browser.findElement(By.id("loc-address")).sendKeys("Quay 7");
            browser.findElement(By.id("loc-city")).sendKeys("Rotterdam");
            browser.findElement(By.id("loc-country")).sendKeys("NLD");
            browser.findElement(By.id("loc-lat")).sendKeys("51.92250");
            browser.findElement(By.id("loc-lon")).sendKeys("4.47917");
            browser.findElement(By.cssSelector("#location-form button")).click();
            slow.until(d -> d.findElement(By.id("loc-result")).getText().equals("Location saved."));

            browser.findElement(By.id("evse-charger")).sendKeys("W-1");
            new Select(browser.findElement(By.id("evse-standard"))).selectByVisibleText("IEC_62196_T2_COMBO");
            new Select(browser.findElement(By.id("evse-format"))).selectByVisibleText("CABLE");
            new Select(browser.findElement(By.id("evse-power-type"))).selectByVisibleText("DC");
            browser.findElement(By.cssSelector("#evse-form button")).click();
            slow.until(d -> d.findElement(By.id("evse-result")).getText().equals("Port saved."));

            // Published: the open data feed has the location with its EVSE, as filled in.
            JsonObject feed = expect(200, new Api(roam.httpPort, null).get("/open-data/west/locations"))
                    .json();
            JsonObject location = feed.getJsonArray("data").getJsonObject(0);
            assertEquals("Quay 7", location.getString("address"));
            assertEquals("51.92250", location.getJsonObject("coordinates").getString("latitude"));
            JsonObject connector = location.getJsonArray("evses")
                    .getJsonObject(0)
                    .getJsonArray("connectors")
                    .getJsonObject(0);
            assertEquals("IEC_62196_T2_COMBO", connector.getString("standard"));
            assertEquals("DC", connector.getString("power_type"));
            assertEquals(
                    "NL*WST*EW1*1",
                    location.getJsonArray("evses").getJsonObject(0).getString("evse_id"));
        }
    }

    @Test
    @DisplayName("the uptime view: a port below 97 % over twelve months first, an exclusion added from the form")
    void uptimeView() throws Exception {
        Instant t0 = Instant.parse("2026-06-01T00:00:00Z");
        io.chargerstatus.testkit.MutableClock clock = new io.chargerstatus.testkit.MutableClock(t0);
        try (TestService timed = TestService.start(TestDatabase.fresh(), Map.of(), clock)) {
            Api api = timed.api();
            expect(
                    201,
                    api.post(
                            "/api/v1/accounts",
                            new JsonObject().put("id", "north").put("name", "NORTH")));
            expect(
                    201,
                    api.post(
                            "/api/v1/chargers",
                            new JsonObject().put("id", "N-1").put("accountId", "north")));
            TestCharger cp = TestCharger.connect(timed, "N-1");
            cp.boot();
            cp.status(1, "Available", "NoError", null, t0);
            cp.status(2, "Available", "NoError", null, t0);
            clock.set(t0.plusSeconds(3600));
            cp.status(1, "Faulted", "GroundFailure", null, t0.plusSeconds(3600));
            // Twenty days Faulted: 28,800 minutes, more than the 15,768 a 97 % year allows.
            clock.set(t0.plus(Duration.ofDays(20)).plusSeconds(3600));
            cp.status(
                    1,
                    "Available",
                    "NoError",
                    null,
                    t0.plus(Duration.ofDays(20)).plusSeconds(3600));
            clock.set(t0.plus(Duration.ofDays(25)));

            browser.get("http://127.0.0.1:" + timed.httpPort + "/");
            browser.findElement(By.id("token")).sendKeys(TestService.ADMIN);
            browser.findElement(By.cssSelector("#sign-in button")).click();
            WebDriverWait slow = new WebDriverWait(browser, Duration.ofSeconds(60));
            slow.until(d -> d.findElement(By.id("account-box")).isDisplayed());
            new Select(browser.findElement(By.id("account"))).selectByValue("north");
            browser.findElement(By.cssSelector("#uptime summary")).click();
            ((org.openqa.selenium.JavascriptExecutor) browser)
                    .executeScript("const m = document.getElementById('uptime-month'); m.value = '2026-06';"
                            + " m.dispatchEvent(new Event('change'));");
            By firstRow = By.cssSelector("#uptime-ports tbody tr:first-child");
            // On a timeout, what the page showed instead (an error hint, other rows).
            slow.withMessage(() -> "uptime view: hint '"
                    + browser.findElement(By.id("uptime-hint")).getText()
                    + "', month " + browser.findElement(By.id("uptime-month")).getAttribute("value")
                    + ", ports: " + browser.findElement(By.id("uptime-ports")).getText());
            slow.until(d -> d.findElement(firstRow).getText().startsWith("N-1 1")
                    && "below-target".equals(d.findElement(firstRow).getAttribute("class")));
            assertTrue(browser.findElement(By.id("uptime-outages")).getText().contains("Faulted (GroundFailure)"));

            browser.findElement(By.id("ex-charger")).sendKeys("N-1");
            browser.findElement(By.id("ex-connector")).sendKeys("1");
            ((org.openqa.selenium.JavascriptExecutor) browser)
                    .executeScript("document.getElementById('ex-from').value = '2026-06-01T00:00:00';"
                            + " document.getElementById('ex-to').value = '2026-06-22T00:00:00';");
            new Select(browser.findElement(By.id("ex-reason"))).selectByValue("disaster");
            browser.findElement(By.cssSelector("#exclusion-form button")).click();
            slow.until(d -> d.findElement(By.id("uptime-outages")).getText().contains("excluded (disaster)"));
            slow.until(d -> !"below-target".equals(d.findElement(firstRow).getAttribute("class")));
            assertEquals(
                    "disaster",
                    expect(200, api.get("/api/v1/outage-exclusions?accountId=north"))
                            .array()
                            .getJsonObject(0)
                            .getString("reason"));
            cp.close();
        }
    }
}
