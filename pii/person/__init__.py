"""PERSON detection without a downloadable model: a CRF token tagger trained in this repository.

`tagger.PersonTagger` runs the shipped model (`model.crfsuite`, `gazetteer.tsv.gz`; see
`model.json` for data sources, licences and versions) on windows around candidate words;
`pii.recognizers.person.PersonRecognizer` puts it behind the engine's Recognizer protocol.
`train` rebuilds the model from installed packages (the `train` extra), `evaluate` measures it on
a BIO file. See README.md in this directory.
"""
