//! Reads the alert path once, in rounds that follow what the verdict needs: the rules of every
//! Region; EventBridge's answers about sample findings (each distinct pattern and event asked
//! once, however many rules or Regions share them); the targets of the rules about GuardDuty
//! findings (and of groundwork's own); for Regions that forward to the home Region's bus, the home
//! rules' answers about their findings; then the topics and roles those targets name.

use std::collections::{BTreeMap, BTreeSet};

use futures_util::future::join_all;

use super::{Evaluation, Observed, RULE, RuleSeen, Sample, Topic, TopicArn, evaluate, samples};
use crate::aws::{At, Aws, AwsError, eventbridge, iam, sns};
use crate::facts::Facts;

/// Reads what the step needs, once, for findings at or above `min`. Never fails as a whole: each
/// read that fails is kept in its place (see `Observed`).
pub async fn observe(aws: &Aws, facts: &Facts, min: f64) -> Observed {
    let account = facts.audit.as_ref().map_or_else(|| facts.identity.account.clone(), |a| a.id.clone());
    let (about, accounts_unread) = match accounts_watched(facts, &account) {
        Ok(ids) => (ids, None),
        Err(e) => (Vec::new(), Some(e)),
    };
    let mut o = Observed {
        about,
        accounts_unread,
        account,
        home: facts.home_region.clone(),
        governed: facts.governed_regions.clone(),
        ..Observed::default()
    };
    if o.accounts_unread.is_some() {
        // Whom the rules must cover is unknown: nothing read here could make a Region done.
        return o;
    }
    let regions = o.regions();
    let samples: BTreeMap<String, Vec<Sample>> =
        regions.iter().map(|r| (r.clone(), samples(&o.account, r, &o.about, min))).collect();

    let listed = join_all(regions.iter().map(|r| {
        let at = At::new(&o.account, r);
        async move { eventbridge::rules(aws, &at).await }
    }))
    .await;
    for (region, rules) in regions.iter().zip(listed) {
        let seen = rules.map(|list| list.into_iter().map(|rule| RuleSeen { rule, targets: None }).collect());
        o.rules.insert(region.clone(), seen);
    }
    // Each Region's rules, about findings from that Region.
    let own: Vec<(String, String)> = regions.iter().map(|r| (r.clone(), r.clone())).collect();
    ask(aws, &mut o, &samples, &own).await;
    read_targets(aws, &mut o, &samples, &own).await;

    // Regions that forward to the home bus: the home Region's rules, about their findings.
    let forwarding: Vec<(String, String)> =
        regions.iter().filter(|r| forwards(&o, r)).map(|r| (o.home.clone(), r.clone())).collect();
    ask(aws, &mut o, &samples, &forwarding).await;
    read_targets(aws, &mut o, &samples, &forwarding).await;

    read_topics_and_roles(aws, &mut o).await;
    o
}

/// The accounts findings can be about: every active account of the organization, else (outside
/// an organization, or where only the management account may list them) this one. An organization
/// or account list that could not be read is an error: a rule judged on this account alone could
/// miss every other account's findings and still read as done.
fn accounts_watched(facts: &Facts, account: &str) -> Result<Vec<String>, AwsError> {
    if let Err(e) = &facts.organization {
        return Err(e.clone());
    }
    let mut ids: Vec<String> = facts.accounts.clone()?.into_iter().filter(|a| a.active).map(|a| a.id).collect();
    if ids.is_empty() {
        ids.push(account.to_owned());
    }
    Ok(ids)
}

/// Asks EventBridge, in rounds, what `evaluate` needs for every rule of each `(Region, origin)`:
/// the rules of that Region about findings from the origin Region. Each distinct pattern and event
/// is asked once.
async fn ask(aws: &Aws, o: &mut Observed, samples: &BTreeMap<String, Vec<Sample>>, pairs: &[(String, String)]) {
    loop {
        let mut wanted: BTreeMap<(String, String), String> = BTreeMap::new();
        for (region, origin) in pairs {
            let (Some(Ok(rules)), Some(events)) = (o.rules.get(region), samples.get(origin)) else { continue };
            for pattern in rules.iter().filter_map(|r| r.rule.pattern.as_deref()) {
                if let Ok(Evaluation::Ask(next)) = evaluate(pattern, events, |s| o.answer(pattern, &s.event)) {
                    for i in next {
                        wanted.entry((pattern.to_owned(), events[i].event.clone())).or_insert_with(|| region.clone());
                    }
                }
            }
        }
        if wanted.is_empty() {
            return;
        }
        let account = o.account.clone();
        let answers = join_all(wanted.iter().map(|((pattern, event), region)| {
            let at = At::new(&account, region);
            async move { eventbridge::test_event_pattern(aws, &at, pattern, event).await }
        }))
        .await;
        for (((pattern, event), _), answer) in wanted.into_iter().zip(answers) {
            o.matches.entry(pattern).or_default().insert(event, answer);
        }
    }
}

/// Whether a rule's targets are needed: it is groundwork's own, or an enabled rule that matches
/// the findings of one of `origins`.
fn needs_targets(o: &Observed, r: &RuleSeen, origins: &[&Vec<Sample>]) -> bool {
    let Some(pattern) = r.rule.pattern.as_deref() else { return false };
    r.rule.name == RULE
        || (r.rule.enabled
            && origins.iter().any(|events| {
                matches!(evaluate(pattern, events, |s| o.answer(pattern, &s.event)), Ok(Evaluation::Matches { .. }))
            }))
}

async fn read_targets(
    aws: &Aws,
    o: &mut Observed,
    samples: &BTreeMap<String, Vec<Sample>>,
    pairs: &[(String, String)],
) {
    let mut wanted: BTreeSet<(String, String)> = BTreeSet::new();
    for (region, origin) in pairs {
        let (Some(Ok(rules)), Some(events)) = (o.rules.get(region), samples.get(origin)) else { continue };
        for r in rules.iter().filter(|r| r.targets.is_none() && needs_targets(o, r, &[events])) {
            wanted.insert((region.clone(), r.rule.name.clone()));
        }
    }
    let account = o.account.clone();
    let read = join_all(wanted.iter().map(|(region, name)| {
        let at = At::new(&account, region);
        async move { eventbridge::targets(aws, &at, name).await }
    }))
    .await;
    for ((region, name), targets) in wanted.into_iter().zip(read) {
        if let Some(Ok(rules)) = o.rules.get_mut(&region)
            && let Some(r) = rules.iter_mut().find(|r| r.rule.name == name)
        {
            r.targets = Some(targets);
        }
    }
}

/// Whether a Region other than home has a rule whose targets include the home Region's bus.
fn forwards(o: &Observed, region: &str) -> bool {
    let bus = o.bus_arn();
    region != o.home
        && matches!(o.rules.get(region), Some(Ok(rules)) if rules.iter().any(|r|
            matches!(&r.targets, Some(Ok(targets)) if targets.iter().any(|t| t.arn == bus))))
}

/// The topics the rules send to in their own Region (and groundwork's), and the roles that carry
/// findings to the home bus (and groundwork's, when there is more than one Region).
async fn read_topics_and_roles(aws: &Aws, o: &mut Observed) {
    // Each topic is read in its own account (and Region, which its ARN names).
    let (mut topics, mut roles) = (BTreeSet::from([(o.account.clone(), o.topic_arn())]), BTreeSet::new());
    if o.governed.len() > 1 {
        roles.insert(o.role_arn());
    }
    let bus = o.bus_arn();
    for (region, listed) in &o.rules {
        let Ok(listed) = listed else { continue };
        for t in listed.iter().filter_map(|r| r.targets.as_ref().and_then(|t| t.as_ref().ok())).flatten() {
            if let Some(topic) = TopicArn::parse(&t.arn).filter(|a| a.region == region) {
                topics.insert((topic.account.to_owned(), t.arn.clone()));
            } else if t.arn == bus
                && let Some(role) = &t.role
            {
                roles.insert(role.clone());
            }
        }
    }
    let account = o.account.clone();
    let home = At::new(&account, &o.home);
    let topic_reads = join_all(topics.iter().map(|(owner, arn)| {
        let region = TopicArn::parse(arn).map_or(o.home.as_str(), |a| a.region);
        let at = At::new(owner, region);
        async move {
            let access = sns::topic_access(aws, &at, arn).await?;
            let subscriptions = sns::subscriptions(aws, &at, arn).await?;
            Ok::<_, AwsError>(Topic { access, subscriptions })
        }
    }));
    let role_reads =
        join_all(roles.iter().map(|arn| iam::role_docs(aws, &home, arn.rsplit('/').next().unwrap_or(arn))));
    let (topic_reads, role_reads) = tokio::join!(topic_reads, role_reads);
    o.topics = topics.into_iter().map(|(_, arn)| arn).zip(topic_reads).collect();
    o.roles = roles.into_iter().zip(role_reads).collect();
}
