package ai.preempt.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The web page in a real browser (Debian's headless Chromium and chromedriver; {@code .ci/run} installs them):
 * upload a photo, see both images at the upload's size (scaled to fit their panels) and their labels, attack
 * both, see both outcomes. Screenshots go to {@code target/}.
 */
class BrowserTest {

    private static final String CHROMIUM = "/usr/bin/chromium";
    private static final String CHROMEDRIVER = "/usr/bin/chromedriver";
    /** A small upload of another size than the model's: it comes back at this size. */
    private static final int UPLOAD_H = 48;
    private static final int UPLOAD_W = 64;
    private static PreemptServer server;
    private static WebDriver driver;

    @BeforeAll
    static void start() {
        assumeTrue(new File(CHROMIUM).canExecute() && new File(CHROMEDRIVER).canExecute(),
                "needs " + CHROMIUM + " and " + CHROMEDRIVER + " (apt-get install chromium chromium-driver; .ci/run does)");
        System.setProperty("SE_OFFLINE", "true"); // Selenium Manager must not go online
        server = PreemptServer.start(ServerFixture.config().build());
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM);
        options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--window-size=1280,1500");
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(new File(CHROMEDRIVER)).usingAnyFreePort().build();
        driver = new ChromeDriver(service, options);
    }

    @AfterAll
    static void stop() {
        if (driver != null) {
            driver.quit();
        }
        if (server != null) {
            server.close();
        }
    }

    private static void screenshot(String name) throws Exception {
        Path target = Path.of("target", name);
        Files.createDirectories(target.getParent());
        File shot = ((TakesScreenshot) driver).getScreenshotAs(OutputType.FILE);
        Files.copy(shot.toPath(), target, StandardCopyOption.REPLACE_EXISTING);
    }

    private static Object script(String js, Object... args) {
        return ((JavascriptExecutor) driver).executeScript(js, args);
    }

    private static int[] natural(String imgId) {
        java.util.List<?> wh = (java.util.List<?>) script(
                "const i = document.getElementById(arguments[0]); return [i.naturalWidth, i.naturalHeight];", imgId);
        return new int[] {((Number) wh.get(0)).intValue(), ((Number) wh.get(1)).intValue()};
    }

    private static boolean loaded(String imgId) {
        Object w = ((JavascriptExecutor) driver).executeScript(
                "const i = document.getElementById(arguments[0]); return i.complete ? i.naturalWidth : 0;", imgId);
        return ((Number) w).intValue() > 0;
    }

    @Test
    void uploadShowsBothImagesAndLabelsAndTheAttackShowsBothOutcomes() throws Exception {
        driver.get(server.url() + "/");
        WebDriverWait wait = new WebDriverWait(driver, Duration.ofMinutes(3));
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("model-info"), "adv-linf"));

        Path upload = Path.of("target", "browser-upload.png").toAbsolutePath();
        Files.createDirectories(upload.getParent());
        Files.write(upload, ai.preempt.data.ImageIo.toPngBytes(ServerFixture.photo(0, UPLOAD_H, UPLOAD_W)));
        driver.findElement(By.id("file")).sendKeys(upload.toString());
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("result")));
        wait.until(d -> loaded("original") && loaded("protected"));
        assertThat(natural("protected")).containsExactly(UPLOAD_W, UPLOAD_H);
        assertThat(script("const c = document.getElementById('diff'); return [c.width, c.height];"))
                .isEqualTo(java.util.List.of((long) UPLOAD_W, (long) UPLOAD_H));
        for (String id : new String[] {"original", "protected", "diff"}) {
            assertThat((Boolean) script("const e = document.getElementById(arguments[0]);"
                    + " return Math.abs(e.getBoundingClientRect().width - e.parentElement.getBoundingClientRect().width) < 1;", id))
                    .as("%s is scaled to its panel's width", id).isTrue();
        }
        String before = driver.findElement(By.id("label-original")).getText();
        String after = driver.findElement(By.id("label-protected")).getText();
        assertThat(before).isNotBlank();
        assertThat(after).isNotBlank();
        assertThat(driver.findElement(By.id("psnr")).getText()).endsWith("dB");
        assertThat(driver.findElement(By.id("download")).getAttribute("href")).startsWith("data:image/png;base64,");
        screenshot("browser-protected.png");

        driver.findElement(By.id("attack")).click();
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("attack-result")));
        wait.until(d -> loaded("attacked-original") && loaded("attacked-protected"));
        for (String id : new String[] {"outcome-original", "outcome-protected"}) {
            WebElement outcome = driver.findElement(By.id(id));
            assertThat(outcome.getText()).as(id).matches("Attack (succeeded|failed): .+");
            assertThat(outcome.getAttribute("class")).as(id).containsAnyOf("fooled", "held");
        }
        assertThat(driver.findElement(By.id("status")).getAttribute("class")).doesNotContain("error");
        ((JavascriptExecutor) driver).executeScript("document.getElementById('attack-result').scrollIntoView();");
        screenshot("browser-attacked.png");
    }
}
