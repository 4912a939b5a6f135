//! A small client of the W3C WebDriver protocol (the parts the end-to-end tests use).

use base64::Engine;
use serde_json::{json, Value};
use std::path::Path;
use std::time::{Duration, Instant};

pub struct Session {
    base: String,
    pub id: String,
}

const ELEMENT: &str = "element-6066-11e4-a52e-4f735466cecf";

/// Keeps the page painting (see `Session::screenshot`).
const PAINT_TICK_START: &str = "if (!window.__ecrfPaintTick) { \
    const d = document.createElement('div'); d.setAttribute('aria-hidden', 'true'); \
    d.style.cssText = 'position:fixed;left:0;top:0;width:1px;height:1px;opacity:0;pointer-events:none'; \
    document.documentElement.appendChild(d); let on = false; \
    const t = setInterval(() => { on = !on; d.style.opacity = on ? '0.004' : '0'; }, 40); \
    window.__ecrfPaintTick = () => { clearInterval(t); d.remove(); delete window.__ecrfPaintTick; }; }";
const PAINT_TICK_STOP: &str = "if (window.__ecrfPaintTick) window.__ecrfPaintTick();";

/// WebDriver key codes (W3C "keys"), for `keys` and `chord`.
pub mod key {
    pub const TAB: &str = "\u{E004}";
    pub const ENTER: &str = "\u{E007}";
    pub const SHIFT: &str = "\u{E008}";
    pub const CTRL: &str = "\u{E009}";
    pub const ALT: &str = "\u{E00A}";
    pub const ESCAPE: &str = "\u{E00C}";
    pub const LEFT: &str = "\u{E012}";
    pub const UP: &str = "\u{E013}";
    pub const RIGHT: &str = "\u{E014}";
    pub const DOWN: &str = "\u{E015}";
    pub const DELETE: &str = "\u{E017}";
    pub const F1: &str = "\u{E031}";
}

fn call(method: &str, url: &str, body: Option<Value>) -> Result<Value, String> {
    let req = ureq::request(method, url).timeout(Duration::from_secs(60));
    let res = match body {
        Some(b) => req.send_json(b),
        None => req.call(),
    };
    match res {
        Ok(r) => r
            .into_json::<Value>()
            .map(|v| v["value"].clone())
            .map_err(|e| e.to_string()),
        Err(ureq::Error::Status(code, r)) => {
            let v: Value = r.into_json().unwrap_or(Value::Null);
            Err(format!(
                "HTTP {code}: {} {}",
                v["value"]["error"], v["value"]["message"]
            ))
        }
        Err(e) => Err(e.to_string()),
    }
}

impl Session {
    /// Launches the application through tauri-driver.
    pub fn new(port: u16, application: &Path) -> Session {
        let base = format!("http://127.0.0.1:{port}");
        let caps = json!({
            "capabilities": { "alwaysMatch": { "tauri:options": { "application": application } } }
        });
        // tauri-driver listens before WebKitWebDriver behind it does: retry for a while.
        let t = Instant::now();
        let v = loop {
            match call("POST", &format!("{base}/session"), Some(caps.clone())) {
                Ok(v) => break v,
                Err(e) if t.elapsed() < Duration::from_secs(30) && !e.starts_with("HTTP") => {
                    std::thread::sleep(Duration::from_millis(250));
                }
                Err(e) => panic!("new session: {e}"),
            }
        };
        let id = v["sessionId"].as_str().expect("session id").to_string();
        Session { base, id }
    }

    fn url(&self, path: &str) -> String {
        format!("{}/session/{}{}", self.base, self.id, path)
    }

    pub fn find(&self, css: &str) -> Option<String> {
        call(
            "POST",
            &self.url("/element"),
            Some(json!({"using": "css selector", "value": css})),
        )
        .ok()
        .and_then(|v| v[ELEMENT].as_str().map(str::to_string))
    }

    pub fn find_all(&self, css: &str) -> Vec<String> {
        call(
            "POST",
            &self.url("/elements"),
            Some(json!({"using": "css selector", "value": css})),
        )
        .ok()
        .and_then(|v| {
            v.as_array().map(|a| {
                a.iter()
                    .filter_map(|e| e[ELEMENT].as_str().map(str::to_string))
                    .collect()
            })
        })
        .unwrap_or_default()
    }

    /// Waits until `css` matches an element.
    pub fn wait(&self, css: &str) -> String {
        let t = Instant::now();
        loop {
            if let Some(e) = self.find(css) {
                return e;
            }
            if t.elapsed() > Duration::from_secs(20) {
                let _ = self.screenshot(&crate::artifacts().join("failure.png"));
                panic!("no element {css} after 20 s (screenshot in tests/artifacts/failure.png)");
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// Waits until the element's text contains `needle`.
    pub fn wait_text(&self, css: &str, needle: &str) -> String {
        let t = Instant::now();
        loop {
            if let Some(e) = self.find(css) {
                let text = self.text(&e);
                if text.contains(needle) {
                    return text;
                }
                if t.elapsed() > Duration::from_secs(20) {
                    let _ = self.screenshot(&crate::artifacts().join("failure.png"));
                    panic!("{css} says {text:?}, not {needle:?}, after 20 s");
                }
            } else if t.elapsed() > Duration::from_secs(20) {
                let _ = self.screenshot(&crate::artifacts().join("failure.png"));
                panic!("no element {css} after 20 s");
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    pub fn click(&self, el: &str) {
        call(
            "POST",
            &self.url(&format!("/element/{el}/click")),
            Some(json!({})),
        )
        .unwrap_or_else(|e| {
            let _ = self.screenshot(&crate::artifacts().join("failure.png"));
            panic!("click: {e} (screenshot in tests/artifacts/failure.png)")
        });
    }

    /// Waits for `css` and clicks it. An element scrolled out of a scrolling container (a
    /// casebook cell far to the right) is first brought into view; one that is still not
    /// interactable (a re-render, a scroll still settling) is tried again for up to 5 s.
    pub fn click_on(&self, css: &str) {
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
        loop {
            let el = self.wait(css);
            let _ = call(
                "POST",
                &self.url("/execute/sync"),
                Some(json!({
                    "script": "arguments[0].scrollIntoView({block: 'center', inline: 'center'});",
                    "args": [{ "element-6066-11e4-a52e-4f735466cecf": el.clone() }]
                })),
            );
            match call(
                "POST",
                &self.url(&format!("/element/{el}/click")),
                Some(json!({})),
            ) {
                Ok(_) => return,
                Err(e)
                    if std::time::Instant::now() < deadline
                        && (e.contains("not interactable") || e.contains("stale")) =>
                {
                    std::thread::sleep(std::time::Duration::from_millis(100));
                }
                Err(e) => {
                    let _ = self.screenshot(&crate::artifacts().join("failure.png"));
                    panic!("click {css}: {e} (screenshot in tests/artifacts/failure.png)")
                }
            }
        }
    }

    /// Picks a choice of an item drawn as radio buttons, by clicking its visible label.
    pub fn choose(&self, item: &str, code: &str) {
        self.click_on(&format!(
            "label:has(> input[data-item=\"{item}\"][value=\"{code}\"])"
        ));
    }

    pub fn type_into(&self, el: &str, text: &str) {
        call(
            "POST",
            &self.url(&format!("/element/{el}/value")),
            Some(json!({"text": text})),
        )
        .unwrap_or_else(|e| panic!("type {text:?}: {e}"));
    }

    pub fn clear(&self, el: &str) {
        call(
            "POST",
            &self.url(&format!("/element/{el}/clear")),
            Some(json!({})),
        )
        .unwrap_or_else(|e| panic!("clear: {e}"));
    }

    /// Keys to whatever has focus (W3C actions), e.g. "\u{E004}" for Tab.
    pub fn keys(&self, text: &str) {
        let mut actions = Vec::new();
        for c in text.chars() {
            actions.push(json!({"type": "keyDown", "value": c.to_string()}));
            actions.push(json!({"type": "keyUp", "value": c.to_string()}));
        }
        call(
            "POST",
            &self.url("/actions"),
            Some(json!({"actions": [{"type": "key", "id": "keyboard", "actions": actions}]})),
        )
        .unwrap_or_else(|e| panic!("keys: {e}"));
    }

    /// A key with modifiers held (W3C actions), e.g. `chord(&[CTRL], "s")`.
    pub fn chord(&self, modifiers: &[&str], key: &str) {
        let mut actions = Vec::new();
        for m in modifiers {
            actions.push(json!({"type": "keyDown", "value": m}));
        }
        actions.push(json!({"type": "keyDown", "value": key}));
        actions.push(json!({"type": "keyUp", "value": key}));
        for m in modifiers.iter().rev() {
            actions.push(json!({"type": "keyUp", "value": m}));
        }
        call(
            "POST",
            &self.url("/actions"),
            Some(json!({"actions": [{"type": "key", "id": "keyboard", "actions": actions}]})),
        )
        .unwrap_or_else(|e| panic!("keys: {e}"));
        // Release everything, so that no modifier stays down for the next keys.
        let _ = call("DELETE", &self.url("/actions"), None);
    }

    /// Waits until a script returns something truthy (its value), or fails after 20 s with
    /// `what` and a screenshot.
    pub fn wait_js(&self, script: &str, args: Value, what: &str) -> Value {
        let t = Instant::now();
        loop {
            let v = self.execute(script, args.clone());
            let truthy = match &v {
                Value::Null => false,
                Value::Bool(b) => *b,
                Value::String(s) => !s.is_empty(),
                Value::Number(n) => n.as_f64() != Some(0.0),
                _ => true,
            };
            if truthy {
                return v;
            }
            if t.elapsed() > Duration::from_secs(20) {
                let _ = self.screenshot(&crate::artifacts().join("failure.png"));
                panic!("{what}: not so after 20 s (screenshot in tests/artifacts/failure.png)");
            }
            std::thread::sleep(Duration::from_millis(25));
        }
    }

    /// Waits until the element with the focus matches `css`.
    pub fn wait_focus(&self, css: &str) {
        let t = Instant::now();
        loop {
            let v = self.execute(
                "const a = document.activeElement; return !!a && a.matches(arguments[0]);",
                json!([css]),
            );
            if v == Value::Bool(true) {
                return;
            }
            if t.elapsed() > Duration::from_secs(20) {
                let now = self.execute(
                    "const a = document.activeElement; return a ? a.outerHTML.slice(0, 300) : null;",
                    json!([]),
                );
                let _ = self.screenshot(&crate::artifacts().join("failure.png"));
                panic!("the focus is not on {css} after 20 s but on {now} (screenshot in tests/artifacts/failure.png)");
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Waits until no element matches `css`.
    pub fn wait_gone(&self, css: &str) {
        let t = Instant::now();
        while self.find(css).is_some() {
            if t.elapsed() > Duration::from_secs(20) {
                let _ = self.screenshot(&crate::artifacts().join("failure.png"));
                panic!("{css} still there after 20 s");
            }
            std::thread::sleep(Duration::from_millis(25));
        }
    }

    pub fn text(&self, el: &str) -> String {
        call("GET", &self.url(&format!("/element/{el}/text")), None)
            .ok()
            .and_then(|v| v.as_str().map(str::to_string))
            .unwrap_or_default()
    }

    pub fn property(&self, el: &str, name: &str) -> Value {
        call(
            "GET",
            &self.url(&format!("/element/{el}/property/{name}")),
            None,
        )
        .unwrap_or(Value::Null)
    }

    pub fn execute(&self, script: &str, args: Value) -> Value {
        call(
            "POST",
            &self.url("/execute/sync"),
            Some(json!({"script": script, "args": args})),
        )
        .unwrap_or_else(|e| panic!("script: {e}"))
    }

    /// Waits until what the DOM holds now has been painted (two animation frames), so that a
    /// screenshot shows it and not the frame before.
    pub fn settle(&self) {
        let script = "const done = arguments[arguments.length - 1]; \
                      requestAnimationFrame(() => requestAnimationFrame(() => setTimeout(() => done(true), 30)));";
        if call(
            "POST",
            &self.url("/execute/async"),
            Some(json!({"script": script, "args": []})),
        )
        .is_err()
        {
            std::thread::sleep(Duration::from_millis(200));
        }
    }

    /// A screenshot of the page. WebKitGTK takes it at the next paint; without compositing (the
    /// app's default, see src-tauri/src/main.rs) a page at rest with no blinking caret is never
    /// painted again and the request waits forever. So an invisible 1-pixel element flickers
    /// (opacity 0 to 0.004, which changes no pixel) while the screenshot is taken.
    pub fn screenshot(&self, path: &Path) -> Result<(), String> {
        self.settle();
        let _ = call(
            "POST",
            &self.url("/execute/sync"),
            Some(json!({"script": PAINT_TICK_START, "args": []})),
        );
        let v = call("GET", &self.url("/screenshot"), None);
        let _ = call(
            "POST",
            &self.url("/execute/sync"),
            Some(json!({"script": PAINT_TICK_STOP, "args": []})),
        );
        let v = v?;
        let png = base64::engine::general_purpose::STANDARD
            .decode(v.as_str().unwrap_or_default())
            .map_err(|e| e.to_string())?;
        std::fs::write(path, png).map_err(|e| e.to_string())
    }

    /// Closes the window; the application exits.
    pub fn quit(self) {
        let _ = call(
            "DELETE",
            &format!("{}/session/{}", self.base, self.id),
            None,
        );
    }
}
