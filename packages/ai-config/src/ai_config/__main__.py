from ai_config.cli import main

main()
