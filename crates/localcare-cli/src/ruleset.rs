//! `localcare ruleset`: shows, checks and lists rulesets.

use localcare::Ruleset;

use crate::Failure;
use crate::args::RulesetCommand;

/// `localcare ruleset show|check|list`.
pub fn run(command: RulesetCommand) -> Result<(u8, String), Failure> {
    let text = match command {
        RulesetCommand::Show { name, file } => match file {
            Some(path) => {
                let rs = Ruleset::from_path(&path).map_err(Failure::input)?;
                std::fs::read_to_string(&path).unwrap_or_else(|_| rs.to_json_string())
            }
            None => {
                let name = name
                    .as_deref()
                    .unwrap_or(localcare::ruleset::DEFAULT_RULESET);
                Ruleset::builtin(name).map_err(Failure::input)?;
                Ruleset::builtin_toml(name).unwrap_or_default().to_string()
            }
        },
        RulesetCommand::Check { file } => {
            let rs = Ruleset::from_path(&file).map_err(Failure::input)?;
            let policy = |has: bool, name: &str| {
                if has {
                    format!(", {name} policy")
                } else {
                    String::new()
                }
            };
            format!(
                "{file}: ok: {} {} ({} tiers, {} capabilities{}{})\n",
                rs.id(),
                rs.version(),
                rs.tiers().len(),
                rs.capabilities().len(),
                policy(rs.settlement_policy().is_some(), "settlement"),
                policy(rs.appraisal_policy().is_some(), "appraisal"),
            )
        }
        RulesetCommand::List => {
            let mut text = String::new();
            for name in Ruleset::builtin_names() {
                let rs = Ruleset::builtin(name).map_err(Failure::input)?;
                text.push_str(&format!("{name}\t{}\t{}\n", rs.version(), rs.title()));
            }
            text
        }
    };
    Ok((0, text))
}
