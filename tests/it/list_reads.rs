//! No paginated AWS read in src/ reads only its first page. Which reads are paginated is the SDK's
//! own word, not a naming habit: every operation whose output carries a next-page token (a
//! paginator, or a `NextToken`/`Marker` field: `list_*`, but also `get_enabled_standards`,
//! `describe_*` and the rest; see tests/common/sdk.rs). Each call of one must, within the same
//! chained call, use the SDK's paginator or pass the token on (AWS pages every such read, and the
//! emulator does too, in pages of two). A source scan, so a new first-page-only read fails here
//! even before a test happens to create a third item.

use crate::common::sdk;

use std::path::Path;

/// Paginated operations a call may read one page of, with why.
const ONE_PAGE_IS_ENOUGH: &[(&str, &str)] = &[];

fn one_page_reads() -> (Vec<String>, usize) {
    let ops = sdk::operations();
    let calls = sdk::calls(&Path::new(env!("CARGO_MANIFEST_DIR")).join("src"), true, &ops);
    let mut found = Vec::new();
    let mut paged = 0;
    for call in calls.iter().filter(|c| c.op.paged) {
        if ONE_PAGE_IS_ENOUGH.iter().any(|(action, _)| *action == call.op.action) {
            continue;
        }
        paged += 1;
        let text = std::fs::read_to_string(&call.file).expect("source");
        let lines: Vec<&str> = text.lines().collect();
        // The rest of this chained call: up to the line that sends it.
        let chain: String = lines[call.line..lines.len().min(call.line + 12)].join("\n");
        let chain = &chain[..chain.find(".send()").map_or(chain.len(), |i| i + 7)];
        let follows =
            ["into_paginator", "set_next_token", "set_marker", ".next_token(", ".marker(", "set_next_page_token"];
        if !follows.iter().any(|f| chain.contains(f)) {
            found.push(format!("{}:{}: {} ({})", call.file.display(), call.line + 1, call.op.method, call.op.action));
        }
    }
    (found, paged)
}

#[test]
fn every_paginated_read_reads_to_the_last_page() {
    let (found, paged) = one_page_reads();
    // The scan sees more than list calls: GetEnabledStandards (Security Hub) pages too.
    assert!(paged > 20, "the scan found only {paged} paginated calls");
    assert!(found.is_empty(), "paginated reads that read one page only:\n{}", found.join("\n"));
}

#[test]
fn the_sdk_says_which_reads_are_paginated() {
    let ops = sdk::operations();
    let paged = |action: &str| ops.iter().find(|o| o.action == action).map(|o| o.paged);
    // Not named list_*, paginated all the same: the reason this scan reads the SDK.
    assert_eq!(paged("securityhub:GetEnabledStandards"), Some(true));
    assert_eq!(paged("organizations:ListAWSServiceAccessForOrganization"), Some(true));
    assert_eq!(paged("iam:ListRoles"), Some(true), "Marker-paged");
    assert_eq!(paged("organizations:DescribeOrganization"), Some(false));
    assert_eq!(paged("sts:GetCallerIdentity"), Some(false));
}
