//! budget's rules as pure functions of one observation: the verdict and the plan over hand-built
//! observations (fresh, the person's own budget and subscription counted, ones that do not count,
//! SNS-only alerts, taken names, unreadable parts), and for every row the invariant (done means
//! nothing to change; nothing to change means done). No emulator.

use std::collections::BTreeMap;

use groundwork::aws::budgets::{Budget, Subscriber};
use groundwork::aws::change::{Action, Ref};
use groundwork::aws::cost_explorer::{self, Monitor, Subscription};
use groundwork::aws::{AwsError, ErrorKind};
use groundwork::catalog::{self, Step, StepId};
use groundwork::inputs::{Ask, InputError};
use groundwork::steps::budget::{AlertSeen, BudgetSeen, Defaults, Observed, judge, plan};
use groundwork::verdict::{Status, combine};

const ME: &str = "111111111111";
const MON: &str = "arn:aws:ce::111111111111:anomalymonitor/m1";

fn step() -> &'static Step {
    catalog::step(StepId::Budget)
}

/// The person's answers; a key with no answer takes the default offered, else is missing.
struct Answers(BTreeMap<String, String>);

impl Ask for Answers {
    fn get(&mut self, key: &str, default: Option<&str>) -> Result<String, InputError> {
        self.0.get(key).cloned().or(default.map(str::to_owned)).ok_or(InputError::Missing(key.into()))
    }
}

fn given() -> Answers {
    Answers(BTreeMap::from([
        ("budget.amount".to_owned(), "300".to_owned()),
        ("budget.email".to_owned(), "bills@example.com".to_owned()),
    ]))
}

fn denied(action: &'static str) -> AwsError {
    AwsError {
        request_id: None,
        kind: ErrorKind::AccessDenied,
        action,
        account: ME.into(),
        region: Some("us-east-1".into()),
        code: Some("AccessDeniedException".into()),
        message: "denied".into(),
    }
}

fn email(a: &str) -> Subscriber {
    Subscriber { kind: "EMAIL".into(), address: a.into() }
}

fn sns() -> Subscriber {
    Subscriber { kind: "SNS".into(), address: "arn:aws:sns:us-east-1:111111111111:bills".into() }
}

fn alert(kind: &str, threshold: f64, subs: Vec<Subscriber>) -> AlertSeen {
    AlertSeen {
        kind: kind.into(),
        comparison: "GREATER_THAN".into(),
        threshold,
        threshold_type: "PERCENTAGE".into(),
        subscribers: Ok(subs),
    }
}

fn budget(name: &str, unit: &str, alerts: Vec<AlertSeen>) -> BudgetSeen {
    BudgetSeen {
        budget: Budget { name: name.into(), time_unit: unit.into(), budget_type: "COST".into(), limit: Some(500.0) },
        alerts: Some(Ok(alerts)),
    }
}

/// The person's own budget that meets the rule: 90% actual, 100% forecast, by email.
fn good_budget(name: &str) -> BudgetSeen {
    budget(
        name,
        "MONTHLY",
        vec![
            alert("ACTUAL", 90.0, vec![email("cfo@example.com")]),
            alert("FORECASTED", 100.0, vec![email("cfo@example.com")]),
        ],
    )
}

fn service_monitor() -> Monitor {
    Monitor {
        arn: MON.into(),
        name: "Default-Services-Monitor".into(),
        kind: "DIMENSIONAL".into(),
        dimension: Some("SERVICE".into()),
    }
}

fn subscription(name: &str, subs: Vec<cost_explorer::Subscriber>) -> Subscription {
    Subscription {
        arn: format!("arn:sub/{name}"),
        name: name.into(),
        monitors: vec![MON.into()],
        frequency: "DAILY".into(),
        subscribers: subs,
    }
}

fn ce_email(status: Option<&str>) -> cost_explorer::Subscriber {
    cost_explorer::Subscriber {
        kind: "EMAIL".into(),
        address: "cfo@example.com".into(),
        status: status.map(str::to_owned),
    }
}

fn fresh() -> Observed {
    Observed {
        account: ME.into(),
        payer: None,
        budgets: Ok(vec![]),
        monitors: Ok(vec![]),
        subscriptions: Ok(vec![]),
        last_month: None,
    }
}

/// The person already has everything.
fn complete() -> Observed {
    Observed {
        budgets: Ok(vec![good_budget("company")]),
        monitors: Ok(vec![service_monitor()]),
        subscriptions: Ok(vec![subscription("mine", vec![ce_email(Some("CONFIRMED"))])]),
        ..fresh()
    }
}

fn verdict(o: &Observed) -> Status {
    combine(judge(o, step()).iter().map(|f| f.status))
}

fn actions(o: &Observed) -> Vec<Action> {
    let p = plan(o, &mut given(), step(), &Defaults::default()).expect("plan");
    p.changes.into_iter().map(|c| c.action).collect()
}

/// Done means nothing to change, and nothing to change (no conflict) means done.
fn invariant(o: &Observed) {
    let status = verdict(o);
    match plan(o, &mut given(), step(), &Defaults::default()) {
        Ok(p) => {
            let empty = p.changes.is_empty() && p.conflicts.is_empty();
            assert_eq!(status == Status::Done, empty, "verdict {status:?} with plan {p:?}");
        }
        Err(_) => assert_eq!(status, Status::Unknown, "a plan that cannot be made comes from what could not be read"),
    }
}

#[test]
fn a_fresh_account_is_not_done_and_gets_all_three_changes() {
    let o = fresh();
    assert_eq!(verdict(&o), Status::NotDone);
    let got = actions(&o);
    assert_eq!(got.len(), 3, "{got:?}");
    assert!(
        matches!(&got[0], Action::CreateBudget { amount, email, .. } if amount == "300" && email == "bills@example.com")
    );
    assert!(matches!(&got[1], Action::CreateAnomalyMonitor { .. }));
    assert!(matches!(&got[2], Action::CreateAnomalySubscription { monitor: Ref::Output(_), .. }));
    invariant(&o);
}

#[test]
fn the_persons_own_budget_and_subscription_count_and_are_never_replaced() {
    let o = complete();
    assert_eq!(verdict(&o), Status::Done);
    assert!(actions(&o).is_empty());
    invariant(&o);
}

#[test]
fn a_budget_that_does_not_meet_the_rule_is_left_alone_and_groundwork_adds_its_own() {
    let rows: Vec<(&str, BudgetSeen)> = vec![
        ("no forecast alert", budget("company", "MONTHLY", vec![alert("ACTUAL", 80.0, vec![email("a@example.com")])])),
        (
            "alerts too late",
            budget(
                "company",
                "MONTHLY",
                vec![
                    alert("ACTUAL", 150.0, vec![email("a@example.com")]),
                    alert("FORECASTED", 100.0, vec![email("a@example.com")]),
                ],
            ),
        ),
        (
            "nobody subscribed",
            budget("company", "MONTHLY", vec![alert("ACTUAL", 80.0, vec![]), alert("FORECASTED", 100.0, vec![])]),
        ),
    ];
    for (why, b) in rows {
        let o = Observed { budgets: Ok(vec![b]), ..complete() };
        assert_eq!(verdict(&o), Status::Partial, "{why}");
        let got = actions(&o);
        assert!(
            matches!(got.as_slice(), [Action::CreateBudget { name, .. }] if name == "groundwork-monthly-cost"),
            "{why}: {got:?}"
        );
        invariant(&o);
    }
    // A quarterly budget is not a monthly one: it does not count, and is not named as lacking.
    let o = Observed {
        budgets: Ok(vec![good_budget("q")]
            .into_iter()
            .map(|mut b| {
                b.budget.time_unit = "QUARTERLY".into();
                b.alerts = None;
                b
            })
            .collect()),
        ..complete()
    };
    assert_eq!(verdict(&o), Status::Partial);
    invariant(&o);
}

#[test]
fn sns_only_alerts_are_unknown_and_groundwork_adds_an_email_beside_them() {
    let b =
        budget("company", "MONTHLY", vec![alert("ACTUAL", 80.0, vec![sns()]), alert("FORECASTED", 100.0, vec![sns()])]);
    let o = Observed { budgets: Ok(vec![b]), ..complete() };
    let findings = judge(&o, step());
    assert_eq!(findings[0].status, Status::Unknown, "{findings:?}");
    assert!(findings[0].detail.contains("company"));
    assert!(matches!(actions(&o).as_slice(), [Action::CreateBudget { .. }]));
    invariant(&o);

    let sub = subscription(
        "topic",
        vec![cost_explorer::Subscriber { kind: "SNS".into(), address: "arn:aws:sns:x".into(), status: None }],
    );
    let o = Observed { subscriptions: Ok(vec![sub]), ..complete() };
    assert_eq!(judge(&o, step())[1].status, Status::Unknown);
    // The existing monitor is reused: only a subscription is added.
    assert!(
        matches!(actions(&o).as_slice(), [Action::CreateAnomalySubscription { monitor: Ref::Known(m), .. }] if m == MON)
    );
    invariant(&o);
}

#[test]
fn a_declined_subscriber_reaches_nobody() {
    let o = Observed { subscriptions: Ok(vec![subscription("mine", vec![ce_email(Some("DECLINED"))])]), ..complete() };
    assert_eq!(judge(&o, step())[1].status, Status::Partial);
    assert_eq!(actions(&o).len(), 1);
    invariant(&o);
}

#[test]
fn a_monitor_of_one_account_does_not_cover_the_aws_services() {
    let narrow = Monitor { dimension: Some("LINKED_ACCOUNT".into()), ..service_monitor() };
    let o = Observed { monitors: Ok(vec![narrow]), ..complete() };
    assert_eq!(judge(&o, step())[1].status, Status::NotDone);
    assert!(matches!(
        actions(&o).as_slice(),
        [Action::CreateAnomalyMonitor { .. }, Action::CreateAnomalySubscription { .. }]
    ));
    invariant(&o);
}

#[test]
fn groundworks_names_taken_by_something_that_does_not_count_are_conflicts() {
    let taken = budget("groundwork-monthly-cost", "MONTHLY", vec![]);
    let o = Observed { budgets: Ok(vec![taken]), ..complete() };
    let p = plan(&o, &mut given(), step(), &Defaults::default()).expect("plan");
    assert!(p.changes.is_empty() && p.conflicts.len() == 1, "{p:?}");
    invariant(&o);

    let o = Observed { subscriptions: Ok(vec![subscription("groundwork-cost-anomalies", vec![])]), ..complete() };
    let p = plan(&o, &mut given(), step(), &Defaults::default()).expect("plan");
    assert!(p.changes.is_empty() && p.conflicts.len() == 1, "{p:?}");
    invariant(&o);
}

#[test]
fn what_cannot_be_read_is_unknown_never_done_and_plans_nothing_over_it() {
    let o = Observed { budgets: Err(denied("budgets:ViewBudget")), ..complete() };
    assert_eq!(verdict(&o), Status::Unknown);
    assert!(plan(&o, &mut given(), step(), &Defaults::default()).is_err());
    invariant(&o);

    let mut unreadable = good_budget("company");
    unreadable.alerts = Some(Err(denied("budgets:ViewBudget")));
    let o = Observed { budgets: Ok(vec![unreadable]), ..complete() };
    assert_eq!(verdict(&o), Status::Unknown, "a budget that might count is never planned over");
    invariant(&o);

    let o = Observed { monitors: Err(denied("ce:GetAnomalyMonitors")), ..complete() };
    let findings = judge(&o, step());
    assert_eq!(findings[1].status, Status::Unknown);
    assert!(findings[1].detail.contains("us-east-1"), "says where Cost Explorer lives: {}", findings[1].detail);
    invariant(&o);
}

#[test]
fn the_amount_is_offered_last_months_spend_and_the_email_the_alerts_one() {
    let o = Observed { last_month: Some(Ok(Some(123.40))), ..fresh() };
    let mut none = Answers(BTreeMap::new());
    let defaults = Defaults { alert_email: Some("alerts@example.com".into()) };
    let p = plan(&o, &mut none, step(), &defaults).expect("plan");
    assert!(
        matches!(&p.changes[0].action, Action::CreateBudget { amount, email, .. } if amount == "124" && email == "alerts@example.com"),
        "{p:?}"
    );
    assert!(p.notes.iter().any(|n| n.contains("123.40") && n.contains("0.01")), "{:?}", p.notes);
    // Without a figure there is no hint: the amount must be given.
    let o = Observed { last_month: Some(Err(denied("ce:GetCostAndUsage"))), ..fresh() };
    assert!(plan(&o, &mut Answers(BTreeMap::new()), step(), &defaults).is_err());
}

#[test]
fn a_member_account_is_never_judged_for_the_organizations_bill() {
    // Even with a complete budget of its own, a member's budget sees only its own spend.
    let o = Observed { payer: Some("999999999999".into()), ..complete() };
    let findings = judge(&o, step());
    assert_eq!(verdict(&o), Status::Unknown, "{findings:?}");
    assert!(findings[0].detail.contains("999999999999"));
    let p = plan(&o, &mut given(), step(), &Defaults::default()).expect("plan");
    assert!(p.changes.is_empty() && p.conflicts.len() == 1, "{p:?}");
    invariant(&o);
}
