//! The tests' handle on the project's emulator (`groundwork::emulator`): one fresh server per test,
//! plus the extension's hooks and a view of its whole state.

use groundwork::emulator::http;

/// A running emulator; stopped when dropped.
pub struct Emulator {
    inner: groundwork::emulator::Emulator,
}

impl Emulator {
    /// Starts a fresh emulator. Control Tower operations finish after `GROUNDWORK_EMULATOR_CT_DELAY_SECONDS`
    /// (2 by default); pass a delay to change it (negative: only the hook finishes them).
    pub fn start() -> Emulator {
        Emulator::start_with(&[])
    }

    pub fn start_with(env: &[(&str, &str)]) -> Emulator {
        match groundwork::emulator::Emulator::start(env) {
            Ok(inner) => Emulator { inner },
            Err(why) => panic!("the AWS emulator could not start: {why}"),
        }
    }

    pub fn url(&self) -> String {
        self.inner.url()
    }

    /// Calls a test hook (or /moto-api/); panics unless it answers 2xx.
    pub fn hook(&self, path: &str, body: serde_json::Value) -> serde_json::Value {
        let (status, text) = http(self.inner.port, "POST", path, &body.to_string())
            .unwrap_or_else(|e| panic!("emulator not reachable for {path}: {e}"));
        assert!((200..300).contains(&status), "{path} answered {status}: {text}");
        serde_json::from_str(&text).unwrap_or(serde_json::Value::Null)
    }

    /// GETs one of the extension's read-only endpoints (`/_groundwork/requests`, `/_groundwork/state`).
    pub fn get(&self, path: &str) -> serde_json::Value {
        let (status, text) = http(self.inner.port, "GET", path, "").expect("emulator reachable");
        assert!((200..300).contains(&status), "{path} answered {status}: {text}");
        serde_json::from_str(&text).expect("the answer is JSON")
    }

    /// The request log: every AWS request served since the last reset or clear.
    pub fn requests(&self) -> Vec<serde_json::Value> {
        self.get("/_groundwork/requests")["requests"].as_array().cloned().unwrap_or_default()
    }

    /// moto's dump of every model, plus the extension's view of what data.json cannot show
    /// (Control Tower, Identity Store, Security Hub, GuardDuty organization settings, trusted access).
    pub fn data(&self) -> serde_json::Value {
        let get = |path: &str| {
            let (_, text) = http(self.inner.port, "GET", path, "").expect("emulator reachable");
            serde_json::from_str::<serde_json::Value>(&text).expect("state is JSON")
        };
        serde_json::json!({"moto": get("/moto-api/data.json"), "extension": get("/_groundwork/state")})
    }
}
