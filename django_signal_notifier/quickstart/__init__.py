"""An opt-in app with 0.2.1's demo models, TestModel1 and TestModel2, for the quickstart."""
