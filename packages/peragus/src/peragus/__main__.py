from peragus.cli import main

main()
