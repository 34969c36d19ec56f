from pec_cli.cli import run

run()
