//! No AWS list call in src/ reads only its first page: each `.list_*()` call is followed, within the
//! same chained call, by the SDK's paginator or by a loop that passes the next token (AWS pages every
//! list, and the emulator does too, in pages of two). A source scan, so a new first-page-only read
//! fails here even before a test happens to create a third item.

use std::path::Path;

/// The calls that are not paged lists (they take no token), with why.
const NOT_PAGED: &[&str] = &[];

fn scan(dir: &Path, found: &mut Vec<String>) {
    for entry in std::fs::read_dir(dir).expect("source dir") {
        let path = entry.expect("entry").path();
        if path.is_dir() {
            scan(&path, found);
            continue;
        }
        let text = std::fs::read_to_string(&path).expect("source");
        let lines: Vec<&str> = text.lines().collect();
        for (n, line) in lines.iter().enumerate() {
            let Some(at) = line.find(".list_") else { continue };
            let call: String = line[at + 1..].chars().take_while(|c| c.is_alphanumeric() || *c == '_').collect();
            if !line[at..].contains(&format!("{call}()")) || NOT_PAGED.contains(&call.as_str()) {
                continue; // not an SDK operation call (a field, a helper of ours)
            }
            // The rest of this chained call: up to the line that sends it.
            let chain: String = lines[n..lines.len().min(n + 12)].join("\n");
            let chain = &chain[..chain.find(".send()").map_or(chain.len(), |i| i + 7)];
            if !(chain.contains("into_paginator") || chain.contains("set_next_token") || chain.contains("set_marker")) {
                found.push(format!("{}:{}: {call}", path.display(), n + 1));
            }
        }
    }
}

#[test]
fn every_list_call_reads_to_the_last_page() {
    let mut found = Vec::new();
    scan(&Path::new(env!("CARGO_MANIFEST_DIR")).join("src"), &mut found);
    assert!(found.is_empty(), "list calls that read one page only:\n{}", found.join("\n"));
}
