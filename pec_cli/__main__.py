from pec_cli.cli import main

main()
