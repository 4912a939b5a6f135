//! Drives the desktop app end to end: a virtual display (Xvfb), tauri-driver in front of
//! WebKitWebDriver, and a small W3C WebDriver client. Nothing here is skipped when a tool is
//! missing: the test fails and says which tool to install (`scripts/install-deps.sh` installs
//! them all).

pub mod webdriver;

use std::net::TcpListener;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// A child process, in a process group of its own, killed with its whole group when dropped
/// (tauri-driver starts WebKitWebDriver, which starts the app).
pub struct Proc(pub Child);
impl Proc {
    pub fn spawn(cmd: &mut Command) -> std::io::Result<Proc> {
        use std::os::unix::process::CommandExt;
        cmd.process_group(0).spawn().map(Proc)
    }
}
impl Drop for Proc {
    fn drop(&mut self) {
        // The child leads its own process group (see `spawn`): end the group politely, so the
        // X server removes its lock file, and only then insist.
        if let Ok(pgid) = i32::try_from(self.0.id()) {
            if pgid > 1 {
                // SAFETY: killpg has no memory effects; the group id is our child's pid.
                unsafe {
                    libc::killpg(pgid, libc::SIGTERM);
                }
            }
        }
        let t = Instant::now();
        while t.elapsed() < Duration::from_secs(3) {
            if let Ok(Some(_)) = self.0.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// The build's binaries folder (`target/debug`), from the test executable's own path.
pub fn bin_dir() -> PathBuf {
    let exe = std::env::current_exe().expect("test executable path");
    let deps = exe.parent().expect("deps folder");
    deps.parent().expect("profile folder").to_path_buf()
}

/// The desktop app binary; built by `scripts/test.sh` before the tests run.
pub fn app_binary() -> PathBuf {
    let p = bin_dir().join("ecrf-app");
    assert!(
        p.exists(),
        "{} is missing: build it first with `cargo build -p ecrf-app` (scripts/test.sh does)",
        p.display()
    );
    p
}

pub fn require(tool: &str) -> PathBuf {
    let out = Command::new("sh")
        .arg("-c")
        .arg(format!("command -v {tool}"))
        .output()
        .expect("sh");
    let path = String::from_utf8_lossy(&out.stdout).trim().to_string();
    assert!(
        !path.is_empty(),
        "{tool} is not installed: run scripts/install-deps.sh"
    );
    PathBuf::from(path)
}

pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

/// An X display: a virtual one (Xvfb) on a free display number, or one already running.
pub struct Display {
    pub name: String,
    _proc: Option<Proc>,
}

impl Display {
    /// Xvfb picks a free display itself (`-displayfd`) and says which when it is ready, so
    /// parallel tests never race for a number and stale lock files of dead servers are reused.
    pub fn start() -> Display {
        use std::io::{BufRead, BufReader};
        let xvfb = require("Xvfb");
        let mut proc = Proc::spawn(
            Command::new(&xvfb)
                .args([
                    "-displayfd",
                    "1",
                    "-screen",
                    "0",
                    "1440x900x24",
                    "-nolisten",
                    "tcp",
                ])
                .stdout(Stdio::piped())
                .stderr(Stdio::null()),
        )
        .expect("start Xvfb");
        let stdout = proc.0.stdout.take().expect("Xvfb's standard output");
        let mut line = String::new();
        BufReader::new(stdout)
            .read_line(&mut line)
            .expect("read Xvfb's display number");
        let n: u32 = line
            .trim()
            .parse()
            .unwrap_or_else(|_| panic!("Xvfb did not start (it said {line:?})"));
        Display {
            name: format!(":{n}"),
            _proc: Some(proc),
        }
    }

    /// A display that is already running (e.g. `$DISPLAY`); it is left running.
    pub fn existing(name: &str) -> Display {
        Display {
            name: name.to_string(),
            _proc: None,
        }
    }
}

/// tauri-driver listening on a free port, launching the app with `env`.
pub struct Driver {
    pub port: u16,
    _proc: Proc,
}

impl Driver {
    pub fn start(display: &Display, env: &[(&str, String)]) -> Driver {
        let driver = require("tauri-driver");
        require("WebKitWebDriver");
        let port = free_port();
        let native = free_port();
        let mut cmd = Command::new(driver);
        cmd.args([
            "--port",
            &port.to_string(),
            "--native-port",
            &native.to_string(),
        ])
        .env("DISPLAY", &display.name)
        .env_remove("WAYLAND_DISPLAY")
        .stdout(Stdio::null())
        .stderr(Stdio::inherit());
        for (k, v) in env {
            cmd.env(k, v);
        }
        // Each app instance gets its own WebKit storage (language choice, drafts), so tests do
        // not see each other's or a person's settings.
        let home = std::env::temp_dir().join(format!("ecrf-e2e-{port}"));
        for (var, sub) in [
            ("XDG_DATA_HOME", "data"),
            ("XDG_CONFIG_HOME", "config"),
            ("XDG_CACHE_HOME", "cache"),
        ] {
            let dir = home.join(sub);
            let _ = std::fs::create_dir_all(&dir);
            cmd.env(var, dir);
        }
        let proc = Proc::spawn(&mut cmd).expect("start tauri-driver");
        let t = Instant::now();
        while t.elapsed() < Duration::from_secs(20) {
            if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
                return Driver { port, _proc: proc };
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        panic!("tauri-driver did not listen on port {port}");
    }
}

/// Where tests leave screenshots for people to look at.
pub fn artifacts() -> PathBuf {
    // The folder of this checkout, as cargo says when it runs the test: a build cache shared
    // between checkouts may hold a binary compiled in another one.
    let root = std::env::var_os("CARGO_MANIFEST_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")));
    let p = root.join("artifacts");
    std::fs::create_dir_all(&p).expect("create tests/artifacts");
    p
}

/// The pids of the running app binary `app` started with `ECRF_DB=db` (this test's own app,
/// whatever else runs on the machine).
pub fn app_pids(app: &std::path::Path, db: &std::path::Path) -> Vec<i32> {
    let want_exe = std::fs::canonicalize(app).unwrap_or_else(|_| app.to_path_buf());
    let want_env = format!("ECRF_DB={}", db.display());
    let mut out = Vec::new();
    let Ok(dir) = std::fs::read_dir("/proc") else {
        return out;
    };
    for e in dir.flatten() {
        let Some(pid) = e.file_name().to_str().and_then(|n| n.parse::<i32>().ok()) else {
            continue;
        };
        let exe = std::fs::read_link(e.path().join("exe")).ok();
        if exe.as_deref() != Some(want_exe.as_path()) {
            continue;
        }
        let env = std::fs::read(e.path().join("environ")).unwrap_or_default();
        if env.split(|b| *b == 0).any(|kv| kv == want_env.as_bytes()) {
            out.push(pid);
        }
    }
    out
}

/// Kills this test's app with SIGKILL (no chance to save anything) and waits until it is gone.
pub fn kill_app(app: &std::path::Path, db: &std::path::Path) {
    let pids = app_pids(app, db);
    assert!(
        !pids.is_empty(),
        "the app started with {} is not running",
        db.display()
    );
    for pid in &pids {
        // SAFETY: kill has no memory effects; the pid is our own test's app process.
        unsafe {
            libc::kill(*pid, libc::SIGKILL);
        }
    }
    let t = Instant::now();
    while !app_pids(app, db).is_empty() {
        assert!(t.elapsed() < Duration::from_secs(10), "the app did not die");
        std::thread::sleep(Duration::from_millis(20));
    }
}
