% rebase('layout')
<h1>Forgotten password</h1>
<p>Enter the e-mail address of your account. We will send you a link to choose a new password.</p>
% include('_errors', fields=('email',), labels={'email': 'E-mail'})
<form id="forgot-form" method="post" action="/forgot" class="form" novalidate>
  <input type="hidden" name="csrf_token" value="{{csrf()}}">
% include('_field', name='email', label='E-mail', type='email', autocomplete='email', required=True)
  <button type="submit" class="button primary">Send the link</button>
</form>
