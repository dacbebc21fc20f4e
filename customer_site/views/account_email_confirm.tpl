% rebase('layout')
<h1>Confirm your new e-mail address</h1>
% if errors:
<p class="error" role="alert" id="token-error">{{errors.get('token', '')}}</p>
<p><a href="/account/email">Ask for a new link</a> (you will be asked to log in).</p>
% else:
<p>Please press the button to make <strong>{{new_email}}</strong> the e-mail address of your account.</p>
<form id="email-confirm-form" method="post" action="/account/email/confirm" class="form">
  <input type="hidden" name="csrf_token" value="{{csrf()}}">
  <input type="hidden" name="token" value="{{token}}">
  <button type="submit" class="button primary">Use this address</button>
</form>
% end
