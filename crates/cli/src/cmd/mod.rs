//! One file per subcommand.

mod alert;
mod api_key;
mod auth;
mod generate;
mod giveaway;
mod import;
mod newsletter;
mod serve;
mod site;
mod subscribers;
mod survey;
mod user;

use std::process::ExitCode;

use crate::cli::{Cli, Command};

pub async fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    match cli.command {
        Command::Serve(args) => serve::run(&cli.global, args).await,
        Command::Import(args) => import::run(&cli.global, args).await,
        Command::Site(cmd) => site::run(&cli.global, cmd).await,
        Command::Generate(args) => generate::run(&cli.global, args).await,
        Command::User(cmd) => user::run(&cli.global, cmd).await,
        Command::Auth(cmd) => auth::run(&cli.global, cmd).await,
        Command::Newsletter(cmd) => newsletter::run(&cli.global, cmd).await,
        Command::Subscribers(cmd) => subscribers::run(&cli.global, cmd).await,
        Command::Alert(cmd) => alert::run(&cli.global, cmd).await,
        Command::Survey(cmd) => survey::run(&cli.global, cmd).await,
        Command::Giveaway(cmd) => giveaway::run(&cli.global, cmd).await,
        Command::ApiKey(cmd) => api_key::run(&cli.global, cmd).await,
    }
}
