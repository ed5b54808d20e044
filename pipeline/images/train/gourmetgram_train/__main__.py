import sys

from gourmetgram_train.cli import main

sys.exit(main(sys.argv[1:]))
