// Lighthouse on one page as a returning reader sees it: the reader's state (stars, follows, last visit; what
// templates/static/reader.js keeps in localStorage) is stored for the page's origin first, and Lighthouse keeps it
// (disableStorageReset), so the page loads with the controls and blocks that only such a reader gets.
// Same defaults as the `lighthouse` command bench/search_bench.py runs (mobile, simulated throttling).
//
//   node bench/lighthouse_reader.mjs URL STATE_JSON_FILE REPORT_JSON_FILE
// CHROME_PATH names the browser; CHROME_FLAGS its flags (space-separated). The storage key is reader.js's:
// "paper-digest:" and the site root's path, which is "/" for the bench's server.
import fs from "node:fs";
import * as chromeLauncher from "chrome-launcher";
import lighthouse from "lighthouse";
import puppeteer from "puppeteer-core";

const [url, stateFile, reportFile] = process.argv.slice(2);
const state = fs.readFileSync(stateFile, "utf8");
const chrome = await chromeLauncher.launch({
  chromePath: process.env.CHROME_PATH,
  chromeFlags: (process.env.CHROME_FLAGS || "").split(" ").filter(Boolean),
});
try {
  const browser = await puppeteer.connect({ browserURL: `http://127.0.0.1:${chrome.port}` });
  const page = await browser.newPage();
  await page.goto(new URL("/robots.txt", url).href);
  await page.evaluate((value) => localStorage.setItem("paper-digest:/", value), state);
  await page.close();
  await browser.disconnect();
  const result = await lighthouse(url, { port: chrome.port, output: "json", logLevel: "error",
                                        disableStorageReset: true });
  fs.writeFileSync(reportFile, result.report);
} finally {
  await chrome.kill();
}
