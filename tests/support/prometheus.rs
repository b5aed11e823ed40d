//! A real Prometheus for tests: Debian's `prometheus` started on a free loopback port,
//! scraping one target every second (evaluating a rules file, when given, every second too),
//! answering instant queries; and the "required tool" rule: a missing binary skips the test
//! unless `COORD_REQUIRE_PROMETHEUS` is set, when it fails it.

use std::net::{SocketAddr, TcpListener};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use super::http;

/// The path of tool `name` on `PATH`; `None` (the test skips) unless required.
pub fn required_tool(name: &str) -> Option<PathBuf> {
    let found = std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|dir| dir.join(name))
            .find(|path| path.is_file())
    });
    if found.is_none() {
        assert!(
            std::env::var_os("COORD_REQUIRE_PROMETHEUS").is_none(),
            "`{name}` is required (COORD_REQUIRE_PROMETHEUS is set); install Debian's `prometheus` package"
        );
        eprintln!("skipped: `{name}` is not installed (apt-get install -y prometheus)");
    }
    found
}

/// A Prometheus server, stopped and its data removed when dropped.
pub struct PrometheusServer {
    child: Child,
    dir: PathBuf,
    addr: SocketAddr,
}

impl PrometheusServer {
    /// Starts scraping `target`.
    pub fn start(binary: &Path, target: SocketAddr) -> Self {
        Self::start_with_rules(binary, target, None)
    }

    /// Starts scraping `target`, evaluating `rules` (the text of a rules file) if given.
    pub fn start_with_rules(binary: &Path, target: SocketAddr, rules: Option<&str>) -> Self {
        Self::start_with(binary, target, rules, &[])
    }

    /// Starts scraping `target` with `rules` and the extra command-line `flags`.
    pub fn start_with(
        binary: &Path,
        target: SocketAddr,
        rules: Option<&str>,
        flags: &[&str],
    ) -> Self {
        let dir = std::env::temp_dir().join(format!(
            "coord-prometheus-{}-{}",
            std::process::id(),
            target.port()
        ));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("temp dir");
        let config = dir.join("prometheus.yml");
        let rule_files = match rules {
            Some(rules) => {
                std::fs::write(dir.join("rules.yml"), rules).expect("write rules");
                "rule_files: ['rules.yml']\n"
            }
            None => "",
        };
        std::fs::write(
            &config,
            format!(
                "global:\n  scrape_interval: 1s\n  evaluation_interval: 1s\n{rule_files}scrape_configs:\n  - job_name: coord\n    static_configs:\n      - targets: ['{target}']\n"
            ),
        )
        .expect("write config");
        let addr = free_port();
        let log = std::fs::File::create(dir.join("prometheus.log")).expect("log file");
        let child = Command::new(binary)
            .arg(format!("--config.file={}", config.display()))
            .arg(format!(
                "--storage.tsdb.path={}",
                dir.join("data").display()
            ))
            .arg(format!("--web.listen-address={addr}"))
            .args(flags)
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .expect("start prometheus");
        Self { child, dir, addr }
    }

    /// What the server logged.
    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.join("prometheus.log")).unwrap_or_default()
    }

    /// Polls the exemplars of `query` over the last ten minutes until there are some, and
    /// returns the first one's labels, value and timestamp as JSON.
    pub fn exemplars_until_present(&mut self, query: &str, timeout: Duration) -> serde_json::Value {
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .expect("after 1970")
            .as_secs();
        let path = format!(
            "/api/v1/query_exemplars?query={}&start={}&end={}",
            percent_encode(query),
            now - 600,
            now + 600
        );
        self.poll(&path, timeout, |json| {
            let first = &json["data"][0]["exemplars"][0];
            (!first.is_null()).then(|| first.clone())
        })
        .unwrap_or_else(|last| {
            panic!(
                "no exemplar for `{query}` within {timeout:?}; last answer: {last}\n{}",
                self.log()
            )
        })
    }

    /// Polls an instant query until it yields one sample, and returns its value.
    pub fn query_until_present(&mut self, query: &str, timeout: Duration) -> String {
        let path = format!("/api/v1/query?query={}", percent_encode(query));
        self.poll(&path, timeout, |json| {
            json["data"]["result"][0]["value"][1]
                .as_str()
                .map(str::to_owned)
        })
        .unwrap_or_else(|last| {
            panic!(
                "no sample for `{query}` within {timeout:?}; last answer: {last}\n{}",
                self.log()
            )
        })
    }

    /// Asks `path` every 250 ms until `found` takes something from the JSON answer; `Err` with
    /// the last answer when `timeout` passes first. Panics if the server exits.
    fn poll<T>(
        &mut self,
        path: &str,
        timeout: Duration,
        found: impl Fn(&serde_json::Value) -> Option<T>,
    ) -> Result<T, String> {
        let deadline = Instant::now() + timeout;
        let mut last = String::new();
        while Instant::now() < deadline {
            if let Ok(Some(status)) = self.child.try_wait() {
                panic!("prometheus exited with {status}:\n{}", self.log());
            }
            if let Ok((200, body)) = http::get(self.addr, path) {
                let json: serde_json::Value = serde_json::from_str(&body).expect("JSON answer");
                if let Some(value) = found(&json) {
                    return Ok(value);
                }
                last = body;
            }
            std::thread::sleep(Duration::from_millis(250));
        }
        Err(last)
    }
}

impl Drop for PrometheusServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// A free loopback port.
pub fn free_port() -> SocketAddr {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("free port")
}

/// `query` for a URL's query string.
pub fn percent_encode(query: &str) -> String {
    query
        .bytes()
        .map(|byte| match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (byte as char).to_string()
            }
            other => format!("%{other:02X}"),
        })
        .collect()
}
