//! The AWS CLI's profile files, read only for their profile names: so that a mistyped `--profile`
//! is named as such (with the profiles that do exist) instead of surfacing later as a missing
//! Region or missing credentials. Values are never read here.

use std::path::PathBuf;

/// The config and credentials files, where the AWS CLI looks for them.
fn files() -> [Option<PathBuf>; 2] {
    let home = directories::BaseDirs::new().map(|d| d.home_dir().join(".aws"));
    let at = |var: &str, default: &str| {
        std::env::var_os(var).map(PathBuf::from).or_else(|| home.as_ref().map(|h| h.join(default)))
    };
    [at("AWS_CONFIG_FILE", "config"), at("AWS_SHARED_CREDENTIALS_FILE", "credentials")]
}

/// Every profile name defined in the config file (`[default]`, `[profile NAME]`) or the credentials
/// file (`[NAME]`), sorted and without repeats.
pub fn names() -> Vec<String> {
    let [config, credentials] = files();
    let read = |p: Option<PathBuf>| p.and_then(|p| std::fs::read_to_string(p).ok()).unwrap_or_default();
    let mut names = parse(&read(config), true);
    names.extend(parse(&read(credentials), false));
    names.sort();
    names.dedup();
    names
}

/// The profile names in one file's section headers.
fn parse(text: &str, config_file: bool) -> Vec<String> {
    text.lines()
        .filter_map(|l| l.trim().strip_prefix('[')?.strip_suffix(']').map(str::trim))
        .filter_map(|header| match header.split_once(char::is_whitespace) {
            Some(("profile", name)) if config_file => Some(name.trim().to_owned()),
            None if !config_file || header == "default" => Some(header.to_owned()),
            // `[sso-session x]`, `[services x]`, and a bare `[x]` in the config file: not profiles.
            _ => None,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::parse;

    #[test]
    fn headers_name_profiles_as_the_cli_reads_them() {
        let config = "[default]\nregion = eu-west-1\n[profile acme-admin]\nsso_session = acme\n[sso-session acme]\n[services x]\n[plain]\n";
        assert_eq!(parse(config, true), ["default", "acme-admin"]);
        assert_eq!(parse("[default]\n[ci]\naws_access_key_id = x\n", false), ["default", "ci"]);
    }
}
