from django import forms

from .models import Instellingen


class InstellingenForm(forms.ModelForm):
    class Meta:
        model = Instellingen
        fields = ["inlogregistratie_dagen"]
