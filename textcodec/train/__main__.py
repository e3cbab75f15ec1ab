from textcodec.train.loop import main

main()
