//! alerts' rules as pure functions of one observation: the verdict and the plan over hand-built
//! observations (fresh, the chosen severity, topic policy and encryption, the subscription,
//! forwarding Regions, same-name conflicts, brownfield, unreadable parts), and the invariant for
//! every row: done means nothing to change, and a plan with no change, no conflict and nothing for
//! a person to do means done. EventBridge's answers come from a small matcher over the sample
//! events, as `observe` would have recorded them. No emulator: runs in milliseconds.

#[path = "alerts_rules/table.rs"]
mod table;

use groundwork::aws::eventbridge::Target;
use groundwork::aws::iam::RoleDocs;
use groundwork::steps::alerts::{Observed, RULE, RuleSeen, TOPIC, Topic};
use groundwork::verdict::Status;
use serde_json::json;
use table::*;

const FRESH_HOME: &[&str] = &["sns:CreateTopic", "sns:Subscribe", "events:PutRule", "events:PutTargets"];

#[test]
fn fresh_and_the_chosen_severity() {
    let fresh = world(&[HOME], vec![], vec![], 7.0);
    row("fresh", &fresh, "7", "no", Status::NotDone, "No enabled EventBridge rule", Want::Plan(FRESH_HOME, None, true));
    row(
        "complete at 7",
        &complete(7.0),
        "7",
        "no",
        Status::Done,
        "emailed to alerts@example.com",
        Want::Plan(&[], None, false),
    );
    // The issue-8 bug: a rule groundwork built for 8 is judged with 8, and is done.
    row(
        "built for 8, judged at 8",
        &complete(8.0),
        "8",
        "no",
        Status::Done,
        "alerts@example.com",
        Want::Plan(&[], None, false),
    );
    // The same rule judged with 7 misses 7.0 findings; groundwork will not rewrite its own rule.
    let mut o = complete(8.0);
    o.matches.clear();
    answer_all(&mut o, 7.0);
    row(
        "built for 8, judged at 7",
        &o,
        "7",
        "no",
        Status::Partial,
        "severity 7.0",
        Want::Plan(&[], Some("already exists"), false),
    );
    // Below the chosen severity: done, and it says it also emails lower findings.
    let mut lower = complete(7.0);
    lower.matches.clear();
    answer_all(&mut lower, 8.0);
    row("rule at 7, chosen 8", &lower, "8", "no", Status::Done, "below severity 8.0", Want::Plan(&[], None, false));
    // Judged with another severity than the one observed: unknown, never done.
    row(
        "observed at 7, judged at 9",
        &complete(7.0),
        "9",
        "no",
        Status::Unknown,
        "did not read",
        Want::Plan(&[], Some("already exists"), false),
    );
}

/// groundwork's rule and topic in home, the topic changed by `f`.
fn with_topic(f: impl FnOnce(&mut Topic)) -> Observed {
    let mut o = complete(7.0);
    if let Some(Ok(t)) = o.topics.get_mut(&ours()) {
        f(t);
    }
    o
}

#[test]
fn the_topic_policy_and_encryption() {
    let deny = json!({"Statement": [
        {"Effect": "Allow", "Principal": {"Service": "events.amazonaws.com"}, "Action": "sns:Publish", "Resource": ours()},
        {"Sid": "NoPublish", "Effect": "Deny", "Principal": "*", "Action": "sns:Publish", "Resource": ours()}]});
    let o = with_topic(|t| t.access.policy = Some(deny.to_string()));
    row(
        "policy denies",
        &o,
        "7",
        "no",
        Status::Partial,
        "denies it (NoPublish)",
        Want::Plan(&[], Some("does not let EventBridge"), false),
    );
    let other_rule = json!({"Statement": [{"Effect": "Allow", "Principal": {"Service": "events.amazonaws.com"},
        "Action": "sns:Publish", "Resource": ours(),
        "Condition": {"ArnEquals": {"aws:SourceArn": format!("arn:aws:events:{HOME}:{AUDIT}:rule/other")}}}]});
    let o = with_topic(|t| t.access.policy = Some(other_rule.to_string()));
    row(
        "policy allows another rule",
        &o,
        "7",
        "no",
        Status::Partial,
        "does not let EventBridge publish",
        Want::Plan(&[], Some("will not rewrite"), false),
    );
    let o = with_topic(|t| t.access.policy = None);
    row(
        "no policy",
        &o,
        "7",
        "no",
        Status::Partial,
        "does not let EventBridge publish",
        Want::Plan(&[], Some("will not rewrite"), false),
    );
    let o = with_topic(|t| t.access.kms_key = Some("alias/aws/sns".into()));
    row(
        "AWS managed key",
        &o,
        "7",
        "no",
        Status::Partial,
        "alias/aws/sns",
        Want::Plan(&[], Some("encrypted with a KMS key"), false),
    );
    let cmk = format!("arn:aws:kms:{HOME}:{AUDIT}:key/1234abcd-12ab-34cd-56ef-1234567890ab");
    let o = with_topic(|t| t.access.kms_key = Some(cmk));
    row(
        "customer managed key",
        &o,
        "7",
        "no",
        Status::Unknown,
        "key policies",
        Want::Plan(&[], Some("encrypted with a KMS key"), false),
    );
}

#[test]
fn the_subscription() {
    let o = with_topic(|t| t.subscriptions[0].confirmed = false);
    row(
        "pending: the person confirms",
        &o,
        "7",
        "no",
        Status::Partial,
        "has not confirmed",
        Want::Plan(&[], None, true),
    );
    row(
        "pending, re-sent",
        &o,
        "7",
        "yes",
        Status::Partial,
        "has not confirmed",
        Want::Plan(&["sns:Subscribe"], None, true),
    );
    let o = with_topic(|t| t.subscriptions.clear());
    row(
        "no email",
        &o,
        "7",
        "no",
        Status::Partial,
        "no email subscription",
        Want::Plan(&["sns:Subscribe"], None, true),
    );
    let o = with_topic(|t| t.subscriptions[0].endpoint = "someone-else@example.com".into());
    row(
        "another address confirmed",
        &o,
        "7",
        "no",
        Status::Done,
        "someone-else@example.com",
        Want::Plan(&[], None, false),
    );
}

/// Two Regions: home complete, and eu-west-1 with `rules`; groundwork's role as given.
fn two_regions(rules: Vec<RuleSeen>, role: Option<RoleDocs>) -> Observed {
    let mut o = world(
        &[HOME, OTHER],
        vec![(HOME, vec![rule(HOME, RULE, &at_least(7.0), true, &[to(&ours())])]), (OTHER, rules)],
        vec![(ours(), topic(&ours(), &[("alerts@example.com", true)]))],
        7.0,
    );
    o.roles.insert(role_arn(), Ok(role));
    o
}

fn forwarding() -> RuleSeen {
    let via = Target { id: "bus".into(), arn: bus(), role: Some(role_arn()) };
    rule(OTHER, RULE, &at_least(7.0), true, &[via])
}

#[test]
fn forwarding_regions() {
    let o = two_regions(vec![forwarding()], Some(trusted_role()));
    row(
        "forwarded to home",
        &o,
        "7",
        "no",
        Status::Done,
        "forwards these findings to the event bus in us-east-1",
        Want::Plan(&[], None, false),
    );
    let o = two_regions(vec![], None);
    let calls = &["events:PutRule", "iam:CreateRole", "iam:PutRolePolicy", "events:PutTargets"];
    row(
        "a Region to forward",
        &o,
        "7",
        "no",
        Status::Partial,
        "No enabled EventBridge rule",
        Want::Plan(calls, None, false),
    );
    let o = two_regions(vec![forwarding()], None);
    row(
        "the role is gone",
        &o,
        "7",
        "no",
        Status::Partial,
        "does not exist",
        Want::Plan(&["iam:CreateRole", "iam:PutRolePolicy"], None, false),
    );
    // As a run killed between CreateRole and PutRolePolicy leaves it: only the policy is added.
    let half_made = RoleDocs { inline: Vec::new(), ..trusted_role() };
    let o = two_regions(vec![forwarding()], Some(half_made));
    row(
        "the role was left without its policy",
        &o,
        "7",
        "no",
        // Managed policies are not read, so the check cannot call it broken: unknown, and the plan
        // adds the inline policy groundwork's role is meant to have.
        Status::Unknown,
        "no inline policy",
        Want::Plan(&["iam:PutRolePolicy"], None, false),
    );
    let lambda = RoleDocs {
        trust: json!({"Statement": [{"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"},
                                     "Action": "sts:AssumeRole"}]})
        .to_string(),
        ..trusted_role()
    };
    let o = two_regions(vec![forwarding()], Some(lambda));
    row(
        "a role EventBridge may not assume",
        &o,
        "7",
        "no",
        Status::Partial,
        "does not let EventBridge (events.amazonaws.com) assume",
        Want::Plan(&[], Some("will not change it"), false),
    );
    // The Region's own topic (groundwork's earlier layout) keeps it.
    let own = topic_arn(OTHER, TOPIC);
    let mut o = two_regions(vec![rule(OTHER, RULE, &at_least(7.0), true, &[to(&own)])], Some(trusted_role()));
    o.topics.insert(own.clone(), Ok(topic(&own, &[("alerts@example.com", true)])));
    row("its own topic", &o, "7", "no", Status::Done, "emailed to", Want::Plan(&[], None, false));
    // A forwarding rule without a role: groundwork's rule of that name is left as it is.
    let no_role = rule(OTHER, RULE, &at_least(7.0), true, &[to(&bus())]);
    let o = two_regions(vec![no_role], Some(trusted_role()));
    row(
        "forwarding without a role",
        &o,
        "7",
        "no",
        Status::Partial,
        "without a role",
        Want::Plan(&[], Some("leaves it to you"), false),
    );
}

#[test]
fn same_name_conflicts_and_brownfield() {
    let ec2 = json!({"source": ["aws.ec2"]});
    let theirs = topic_arn(HOME, "their-pager");
    let o = world(&[HOME], vec![(HOME, vec![rule(HOME, RULE, &ec2, true, &[to(&theirs)])])], vec![], 7.0);
    row(
        "a rule of groundwork's name about EC2",
        &o,
        "7",
        "no",
        Status::NotDone,
        "No enabled",
        Want::Plan(&["sns:CreateTopic", "sns:Subscribe"], Some("different pattern or disabled"), true),
    );
    let o = world(
        &[HOME],
        vec![(HOME, vec![rule(HOME, RULE, &at_least(7.0), false, &[to(&ours())])])],
        vec![(ours(), topic(&ours(), &[("alerts@example.com", true)]))],
        7.0,
    );
    row(
        "groundwork's rule disabled",
        &o,
        "7",
        "no",
        Status::NotDone,
        "is disabled",
        Want::Plan(&[], Some("different pattern or disabled"), false),
    );
    // Someone's own complete path: done, and groundwork adds nothing.
    let o = world(
        &[HOME],
        vec![(HOME, vec![rule(HOME, "guardduty-high", &at_least(5.0), true, &[to(&theirs)])])],
        vec![(theirs.clone(), topic(&theirs, &[("sec@example.com", true)]))],
        7.0,
    );
    row("brownfield", &o, "7", "no", Status::Done, "guardduty-high", Want::Plan(&[], None, false));
    // Someone's rule that leaves an account out: groundwork builds its own path beside it.
    let mut narrow = at_least(7.0);
    narrow["detail"]["accountId"] = json!([AUDIT]);
    let o = world(
        &[HOME],
        vec![(HOME, vec![rule(HOME, "theirs", &narrow, true, &[to(&theirs)])])],
        vec![(theirs.clone(), topic(&theirs, &[("sec@example.com", true)]))],
        7.0,
    );
    row(
        "brownfield, one account",
        &o,
        "7",
        "no",
        Status::Partial,
        &format!("about account {MEMBER}"),
        Want::Plan(FRESH_HOME, None, true),
    );
}

#[test]
fn unreadable_parts_are_unknown_never_done() {
    let mut o = complete(7.0);
    o.rules.insert(HOME.into(), Err(denied("events:ListRules")));
    row("rules unreadable", &o, "7", "no", Status::Unknown, "events:ListRules", Want::Fails);
    let mut o = complete(7.0);
    o.topics.insert(ours(), Err(denied("sns:GetTopicAttributes")));
    row("groundwork's topic unreadable", &o, "7", "no", Status::Unknown, "could not be read", Want::Fails);
    let mut o = complete(7.0);
    for answer in o.matches.values_mut().flat_map(|answers| answers.values_mut()) {
        *answer = Err(denied("events:TestEventPattern"));
    }
    row(
        "EventBridge would not answer",
        &o,
        "7",
        "no",
        Status::Unknown,
        "Could not read rule",
        Want::Plan(&[], Some("cannot tell what is missing"), false),
    );
    let mut o = complete(7.0);
    if let Some(Ok(rules)) = o.rules.get_mut(HOME) {
        rules[0].targets = Some(Err(denied("events:ListTargetsByRule")));
    }
    row("targets unreadable", &o, "7", "no", Status::Unknown, "events:ListTargetsByRule", Want::Fails);
    // The accounts findings can be about could not be listed: a complete path is not judged done.
    let mut o = complete(7.0);
    o.accounts_unread = Some(denied("organizations:ListAccounts"));
    row("accounts unreadable", &o, "7", "no", Status::Unknown, "organizations:ListAccounts", Want::Fails);
    let mut o = two_regions(vec![forwarding()], None);
    o.roles.insert(role_arn(), Err(denied("iam:GetRole")));
    row("role unreadable", &o, "7", "no", Status::Unknown, "iam:GetRole", Want::Fails);
    let mut o = two_regions(vec![forwarding()], Some(trusted_role()));
    if let Some(Ok(rules)) = o.rules.get_mut(HOME) {
        rules.clear();
    }
    o.matches.clear();
    answer_all(&mut o, 7.0);
    o.topics.clear();
    o.topics.insert(ours(), Err(denied("sns:GetTopicAttributes")));
    row("home topic unreadable, forwarding fine", &o, "7", "no", Status::NotDone, "No enabled", Want::Fails);
    // Someone's rule whose topic is gone: unknown; groundwork's own path is planned beside it.
    let gone = topic_arn(HOME, "gone");
    let mut o =
        world(&[HOME], vec![(HOME, vec![rule(HOME, "aaa-gone", &at_least(7.0), true, &[to(&gone)])])], vec![], 7.0);
    o.topics.insert(gone, Err(not_found()));
    row("a topic that is gone", &o, "7", "no", Status::Unknown, "aaa-gone", Want::Plan(FRESH_HOME, None, true));
}

#[test]
fn the_email_is_needed_only_for_a_subscription_to_make() {
    use groundwork::plans::PlanError;
    use groundwork::steps::alerts::{Answers, plan};
    let none = Answers { min_severity: "7".into(), email: None };
    let (_, mut ask) = answers("7", "no");
    let fresh = world(&[HOME], vec![], vec![], 7.0);
    let made = plan(&fresh, &none, &mut ask, step());
    assert!(matches!(made, Err(PlanError::Input(_))), "{made:?}");
    let done = plan(&complete(7.0), &none, &mut ask, step()).expect("plan");
    assert!(done.is_empty(), "{done:#?}");
}
