from trends.cli import main

main()
