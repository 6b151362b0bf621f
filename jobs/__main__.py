from jobs.worker import main

main()
