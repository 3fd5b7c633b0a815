use clap::Parser;
use counterpart::cli::{Cli, run};

fn main() {
    let cli = Cli::parse();
    if cli.command.is_none() {
        #[cfg(feature = "app")]
        {
            let folder = cli.scenarios.clone().unwrap_or_else(counterpart_core::library::sources::bundled_folder);
            counterpart::app::run(folder);
            return;
        }
    }
    let code = run(cli, &mut std::io::stdout(), &mut std::io::stderr());
    std::process::exit(code);
}
