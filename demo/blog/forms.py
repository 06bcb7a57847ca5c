from django import forms

from blog.models import Comment


class CommentForm(forms.ModelForm):
    """A comment's text; the article and the author come from the page and the login."""

    class Meta:
        model = Comment
        fields = ["body"]
        widgets = {"body": forms.Textarea(attrs={"rows": 3, "placeholder": "Write a comment"})}
